<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
    <context>
        <name>AboutDialog</name>
        <message>
            <source>About {app}</source>
            <translation>Über {app}</translation>
        </message>
        <message>
            <source>A CRM for small offices that keeps everything in one encrypted file on your own computer. Nothing is sent anywhere.</source>
            <translation>Ein CRM für kleine Büros, das alles in einer verschlüsselten Datei auf Ihrem eigenen Computer aufbewahrt. Nichts wird irgendwohin gesendet.</translation>
        </message>
        <message>
            <source>{copyright}.&lt;br&gt;Free software under the {licence}: you may share and change it under its terms. It comes with no warranty. &lt;a href="https://www.gnu.org/licenses/gpl-3.0.html"&gt;Read the licence&lt;/a&gt;.</source>
            <translation>{copyright}.&lt;br&gt;Freie Software unter der {licence}: Sie dürfen sie zu deren Bedingungen weitergeben und verändern. Sie wird ohne jede Gewährleistung geliefert. &lt;a href="https://www.gnu.org/licenses/gpl-3.0.html"&gt;Lizenz lesen&lt;/a&gt;.</translation>
        </message>
        <message>
            <source>Copy version details</source>
            <translation>Versionsangaben kopieren</translation>
        </message>
    </context>
    <context>
        <name>BoardTab</name>
        <message>
            <source>Keyboard: arrows between cards, Enter to open one. Your role does not allow moving deals.</source>
            <translation>Tastatur: Pfeiltasten wechseln zwischen Karten, Eingabe öffnet eine. Ihre Rolle erlaubt nicht, Geschäfte zu verschieben.</translation>
        </message>
    </context>
    <context>
        <name>ChangePassphraseDialog</name>
        <message>
            <source>Change passphrase</source>
            <translation>Passphrase ändern</translation>
        </message>
        <message>
            <source>Add a passphrase</source>
            <translation>Passphrase hinzufügen</translation>
        </message>
        <message>
            <source>The new passphrase opens this vault from now on; the old one stops working at once. Your recovery key and this computer's keychain keep working as before.</source>
            <translation>Die neue Passphrase öffnet diesen Tresor ab sofort; die alte funktioniert nicht mehr. Ihr Wiederherstellungsschlüssel und der Schlüsselbund dieses Computers funktionieren weiter wie bisher.</translation>
        </message>
        <message>
            <source>With a passphrase you can open this vault on a computer whose keychain does not hold its key. Your recovery key keeps working as before.</source>
            <translation>Mit einer Passphrase können Sie diesen Tresor auch auf einem Computer öffnen, dessen Schlüsselbund den Schlüssel nicht enthält. Ihr Wiederherstellungsschlüssel funktioniert weiter wie bisher.</translation>
        </message>
        <message>
            <source>Your passphrase now</source>
            <translation>Ihre bisherige Passphrase</translation>
        </message>
        <message>
            <source>Add passphrase</source>
            <translation>Passphrase hinzufügen</translation>
        </message>
        <message>
            <source>Current passphrase</source>
            <translation>Bisherige Passphrase</translation>
        </message>
        <message>
            <source>Type the passphrase you use now first.</source>
            <translation>Geben Sie zuerst Ihre bisherige Passphrase ein.</translation>
        </message>
        <message>
            <source>Passphrase changed. Use the new one from now on.</source>
            <translation>Passphrase geändert. Verwenden Sie ab jetzt die neue.</translation>
        </message>
    </context>
    <context>
        <name>CompanyEditor</name>
        <message>
            <source>View company</source>
            <translation>Firma ansehen</translation>
        </message>
    </context>
    <context>
        <name>ConsentDialog</name>
        <message>
            <source>Agreed</source>
            <translation>Zugestimmt</translation>
        </message>
        <message>
            <source>Withdrew or refused</source>
            <translation>Widerrufen oder abgelehnt</translation>
        </message>
        <message>
            <source>Phone call, signed form, email of 3 March…</source>
            <translation>Anruf, unterschriebenes Formular, E-Mail vom 3. März…</translation>
        </message>
        <message>
            <source>Purpose</source>
            <translation>Zweck</translation>
        </message>
        <message>
            <source>Choice</source>
            <translation>Entscheidung</translation>
        </message>
        <message>
            <source>Where it came from</source>
            <translation>Herkunft</translation>
        </message>
        <message>
            <source>Record choice</source>
            <translation>Entscheidung festhalten</translation>
        </message>
        <message>
            <source>History</source>
            <translation>Verlauf</translation>
        </message>
        <message>
            <source>When</source>
            <translation>Wann</translation>
        </message>
        <message>
            <source>From</source>
            <translation>Von</translation>
        </message>
        <message>
            <source>Notice</source>
            <translation>Hinweis</translation>
        </message>
        <message>
            <source>Consent of {name}</source>
            <translation>Einwilligung von {name}</translation>
        </message>
        <message>
            <source>{purpose}: yes</source>
            <translation>{purpose}: ja</translation>
        </message>
        <message>
            <source>{purpose}: no</source>
            <translation>{purpose}: nein</translation>
        </message>
        <message>
            <source>Now: {choices}.</source>
            <translation>Derzeit: {choices}.</translation>
        </message>
        <message>
            <source>Restricted: nobody may contact them.</source>
            <translation>Eingeschränkt: Niemand darf die Person kontaktieren.</translation>
        </message>
        <message>
            <source>Withdrew</source>
            <translation>Widerrufen</translation>
        </message>
    </context>
    <context>
        <name>CrashReporter</name>
        <message>
            <source>The details were written to {path}.</source>
            <extracomment>The same file the command line writes its bug reports to, so there is one place to look.</extracomment>
            <translation>Die Einzelheiten wurden in {path} gespeichert.</translation>
        </message>
        <message>
            <source>The details could not be written to a log file.</source>
            <translation>Die Einzelheiten konnten nicht in eine Protokolldatei geschrieben werden.</translation>
        </message>
        <message>
            <source>{app} ran into a problem it did not expect, so the last thing you asked for was not finished. {where} Your vault is safe; you can carry on, or close and reopen the app if something looks wrong.</source>
            <translation>{app} ist auf ein unerwartetes Problem gestoßen, daher wurde Ihr letzter Auftrag nicht abgeschlossen. {where} Ihr Tresor ist sicher; Sie können weiterarbeiten oder das Programm schließen und neu öffnen, falls etwas nicht stimmt.</translation>
        </message>
        <message>
            <source>{app} — unexpected problem</source>
            <translation>{app} – unerwartetes Problem</translation>
        </message>
        <message>
            <source>Something went wrong</source>
            <translation>Etwas ist schiefgelaufen</translation>
        </message>
    </context>
    <context>
        <name>DealEditor</name>
        <message>
            <source>View deal</source>
            <extracomment>The probability box's first value, shown as "the stage's". Why this user may not save here (None when they may): the form is read-only.</extracomment>
            <translation>Geschäft ansehen</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Schließen</translation>
        </message>
    </context>
    <context>
        <name>FirstRunWizard</name>
        <message>
            <source>Set up {app}</source>
            <translation>{app} einrichten</translation>
        </message>
    </context>
    <context>
        <name>JobEditor</name>
        <message>
            <source>View job</source>
            <extracomment>Asks whether to save despite the plan's warnings; tests answer for the person. Why this user may not save here (None when they may): the form is read-only.</extracomment>
            <translation>Auftrag ansehen</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Schließen</translation>
        </message>
    </context>
    <context>
        <name>LanguageSettingsSection</name>
        <message>
            <source>Language</source>
            <translation>Sprache</translation>
        </message>
        <message>
            <source>Same as this computer</source>
            <translation>Wie dieser Computer</translation>
        </message>
        <message>
            <source>The language of the window, of the PDFs and of the e-mails made on this computer.</source>
            <translation>Die Sprache des Fensters sowie der PDFs und E-Mails, die auf diesem Computer erstellt werden.</translation>
        </message>
        <message>
            <source>Saved. The new language is used from the next start.</source>
            <translation>Gespeichert. Die neue Sprache gilt ab dem nächsten Start.</translation>
        </message>
        <message>
            <source>Saved.</source>
            <translation>Gespeichert.</translation>
        </message>
    </context>
    <context>
        <name>LocationPage</name>
        <message>
            <source>Welcome to {app}</source>
            <extracomment>How many made-up people "Start with sample data" adds: enough to look around.</extracomment>
            <translation>Willkommen bei {app}</translation>
        </message>
        <message>
            <source>Your contacts, deals and invoices are kept in one encrypted file on this computer. Choose where that file goes.</source>
            <translation>Ihre Kontakte, Geschäfte und Rechnungen werden in einer verschlüsselten Datei auf diesem Computer gespeichert. Wählen Sie, wo diese Datei liegen soll.</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>Durchsuchen…</translation>
        </message>
        <message>
            <source>Vault file</source>
            <translation>Tresordatei</translation>
        </message>
        <message>
            <source>The suggested place is fine for most people. If you pick your own, choose a folder that your backups include.</source>
            <translation>Der vorgeschlagene Ort passt für die meisten. Wenn Sie selbst einen wählen, nehmen Sie einen Ordner, der in Ihren Sicherungen enthalten ist.</translation>
        </message>
        <message>
            <source>A vault already exists at {path}; choose another name or folder.</source>
            <translation>Unter {path} gibt es bereits einen Tresor; wählen Sie einen anderen Namen oder Ordner.</translation>
        </message>
        <message>
            <source>{path} is a file, not a folder; choose a folder.</source>
            <translation>{path} ist eine Datei, kein Ordner; wählen Sie einen Ordner.</translation>
        </message>
        <message>
            <source>Where to keep the vault</source>
            <translation>Speicherort des Tresors</translation>
        </message>
        <message>
            <source>{app} vaults (*{suffix})</source>
            <translation>{app}-Tresore (*{suffix})</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Audit trail</source>
            <extracomment>Which page shows a record of each kind the search finds, and its method that selects and shows one record there. The role needs one of these permissions to see the page (none: everyone does). The sidebar, top to bottom. Ctrl+1 … Ctrl+9 go to the first nine pages the role sees, in this order, and Ctrl+0 to Settings.</extracomment>
            <translation>Prüfprotokoll</translation>
        </message>
        <message>
            <source>Make a backup of the vault now and check it</source>
            <extracomment>What exporting the whole vault needs (as services.privacy_export.WHOLE_VAULT). A page's method that prints what it shows, for File › Print… The settings page saved a new idle limit (minutes; 0 = never). Everything was erased (the erase-all dialog): back to the start screen. File › Switch user…: lock and sign in as someone else (the controller decides).</extracomment>
            <translation>Jetzt eine Sicherung des Tresors anlegen und prüfen</translation>
        </message>
        <message>
            <source>Choose a new passphrase for this vault</source>
            <translation>Eine neue Passphrase für diesen Tresor wählen</translation>
        </message>
        <message>
            <source>Encrypt the vault with a new key and get a new recovery key</source>
            <translation>Den Tresor mit einem neuen Schlüssel verschlüsseln und einen neuen Wiederherstellungsschlüssel erhalten</translation>
        </message>
        <message>
            <source>Export everything in the vault to one file</source>
            <translation>Den gesamten Inhalt des Tresors in eine Datei exportieren</translation>
        </message>
        <message>
            <source>Print what this page shows, where it can be printed</source>
            <translation>Drucken, was diese Seite zeigt, sofern sie gedruckt werden kann</translation>
        </message>
        <message>
            <source>{user} ({role})</source>
            <translation>{user} ({role})</translation>
        </message>
        <message>
            <source>Signed in as {user}, role {role}</source>
            <translation>Angemeldet als {user}, Rolle {role}</translation>
        </message>
        <message>
            <source>Working as the vault's owner; add users in Settings</source>
            <translation>Sie arbeiten als Eigentümer des Tresors; Benutzer fügen Sie unter Einstellungen hinzu</translation>
        </message>
        <message>
            <source>S&amp;witch user…</source>
            <translation>Benutzer &amp;wechseln…</translation>
        </message>
        <message>
            <source>Lock the vault and sign in as someone else</source>
            <translation>Den Tresor sperren und sich als jemand anderes anmelden</translation>
        </message>
        <message>
            <source>&amp;Back up now</source>
            <translation>Jetzt &amp;sichern</translation>
        </message>
        <message>
            <source>Change &amp;passphrase…</source>
            <translation>&amp;Passphrase ändern…</translation>
        </message>
        <message>
            <source>&amp;Rotate key…</source>
            <translation>Schlüssel &amp;erneuern…</translation>
        </message>
        <message>
            <source>&amp;Export the whole vault…</source>
            <translation>Ganzen Tresor e&amp;xportieren…</translation>
        </message>
        <message>
            <source>&amp;Print…</source>
            <translation>&amp;Drucken…</translation>
        </message>
        <message>
            <source>There is nothing to print on this page.</source>
            <translation>Auf dieser Seite gibt es nichts zu drucken.</translation>
        </message>
    </context>
    <context>
        <name>NoticeBar</name>
        <message>
            <source>Please read the privacy notice of this vault: it says what Crasme Desktop keeps, where, and for how long.</source>
            <translation>Bitte lesen Sie die Datenschutzhinweise dieses Tresors: Sie erklären, was Crasme Desktop speichert, wo und wie lange.</translation>
        </message>
        <message>
            <source>Read the notice…</source>
            <translation>Hinweise lesen…</translation>
        </message>
    </context>
    <context>
        <name>NoticeDialog</name>
        <message>
            <source>{app} privacy notice</source>
            <translation>Datenschutzhinweise von {app}</translation>
        </message>
        <message>
            <source>Please read how Crasme Desktop keeps and protects the data in this vault. It is shown once for each version of the notice.</source>
            <translation>Bitte lesen Sie, wie Crasme Desktop die Daten in diesem Tresor speichert und schützt. Die Hinweise werden für jede Fassung einmal angezeigt.</translation>
        </message>
        <message>
            <source>I have read this</source>
            <translation>Gelesen</translation>
        </message>
    </context>
    <context>
        <name>NoticeView</name>
        <message>
            <source>Reading the notice…</source>
            <translation>Hinweise werden geladen…</translation>
        </message>
        <message>
            <source>Version {version} acknowledged by {who} on {when}.</source>
            <translation>Fassung {version} von {who} am {when} bestätigt.</translation>
        </message>
        <message>
            <source>Version {version} acknowledged on {when}.</source>
            <translation>Fassung {version} am {when} bestätigt.</translation>
        </message>
        <message>
            <source>This is version {version}, not yet acknowledged.</source>
            <translation>Dies ist Fassung {version}, noch nicht bestätigt.</translation>
        </message>
        <message>
            <source>Version {version}, not yet acknowledged.</source>
            <translation>Fassung {version}, noch nicht bestätigt.</translation>
        </message>
    </context>
    <context>
        <name>Passphrase</name>
        <message>
            <source>Use at least {n} characters; a few unrelated words work well.</source>
            <extracomment>Passphrases so common that their length says nothing about their strength.</extracomment>
            <translation>Verwenden Sie mindestens {n} Zeichen; einige zusammenhanglose Wörter eignen sich gut.</translation>
        </message>
        <message>
            <source>Too short: use at least {n} characters.</source>
            <translation>Zu kurz: Verwenden Sie mindestens {n} Zeichen.</translation>
        </message>
        <message>
            <source>Very easy to guess: choose something less common.</source>
            <translation>Sehr leicht zu erraten: Wählen Sie etwas weniger Gebräuchliches.</translation>
        </message>
        <message>
            <source>Weak: longer is stronger, such as three or four unrelated words.</source>
            <translation>Schwach: Länger ist sicherer, etwa drei oder vier zusammenhanglose Wörter.</translation>
        </message>
        <message>
            <source>Fair: adding another word would make it much stronger.</source>
            <translation>Mittel: Ein weiteres Wort würde sie deutlich sicherer machen.</translation>
        </message>
        <message>
            <source>Good.</source>
            <translation>Gut.</translation>
        </message>
        <message>
            <source>Strong.</source>
            <translation>Stark.</translation>
        </message>
    </context>
    <context>
        <name>PassphraseFields</name>
        <message>
            <source>Passphrase</source>
            <translation>Passphrase</translation>
        </message>
        <message>
            <source>Type it again</source>
            <translation>Wiederholen</translation>
        </message>
        <message>
            <source>The passphrase needs at least {n} characters.</source>
            <translation>Die Passphrase braucht mindestens {n} Zeichen.</translation>
        </message>
        <message>
            <source>The two passphrases are not the same yet.</source>
            <translation>Die beiden Passphrasen stimmen noch nicht überein.</translation>
        </message>
    </context>
    <context>
        <name>PersonDetail</name>
        <message>
            <source>Who saw or changed this</source>
            <extracomment>Links to records inside the app: "record:organization/ID". How many of a person's audit events the pane lists (the Audit page has them all). ("person" | "organization", id): the person wants to go to another record. ("person", keep_id, other_id): merge the shown person with a duplicate. The shown person's id: the person wants to change it. The shown person's id, once they were erased from the vault here.</extracomment>
            <translation>Wer dies gesehen oder geändert hat</translation>
        </message>
        <message>
            <source>When</source>
            <translation>Wann</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>Wer</translation>
        </message>
        <message>
            <source>What</source>
            <translation>Was</translation>
        </message>
        <message>
            <source>Who saw or changed this person</source>
            <translation>Wer diese Person gesehen oder geändert hat</translation>
        </message>
        <message>
            <source>The newest {count} events; the Audit trail page lists them all.</source>
            <translation>Die neuesten {count} Ereignisse; die Seite Prüfprotokoll listet alle auf.</translation>
        </message>
    </context>
    <context>
        <name>PersonEditor</name>
        <message>
            <source>View person</source>
            <extracomment>The person chose to open an existing person instead of saving a duplicate.</extracomment>
            <translation>Person ansehen</translation>
        </message>
    </context>
    <context>
        <name>PrivacyNotice</name>
        <message>
            <source>Marketing email</source>
            <extracomment>(purpose, name shown): as services/privacy_consent.py PURPOSE_NAMES. Translated where shown (`_purpose_name`).</extracomment>
            <translation>Werbe-E-Mails</translation>
        </message>
        <message>
            <source>Text messages (SMS)</source>
            <translation>Kurznachrichten (SMS)</translation>
        </message>
        <message>
            <source>Newsletter</source>
            <translation>Newsletter</translation>
        </message>
    </context>
    <context>
        <name>ProtectionPage</name>
        <message>
            <source>How should the vault be unlocked?</source>
            <translation>Wie soll der Tresor entsperrt werden?</translation>
        </message>
        <message>
            <source>Everything in the vault is encrypted. Choose how you will open it; you will also get a recovery key in case everything else is lost.</source>
            <translation>Alles im Tresor ist verschlüsselt. Wählen Sie, wie Sie ihn öffnen; zusätzlich erhalten Sie einen Wiederherstellungsschlüssel für den Fall, dass alles andere verloren geht.</translation>
        </message>
        <message>
            <source>Unlock with this computer's keychain (nothing to type)</source>
            <translation>Mit dem Schlüsselbund dieses Computers entsperren (keine Eingabe nötig)</translation>
        </message>
        <message>
            <source>Checking this computer's keychain…</source>
            <translation>Schlüsselbund dieses Computers wird geprüft…</translation>
        </message>
        <message>
            <source>Protect it with a passphrase as well</source>
            <translation>Zusätzlich mit einer Passphrase schützen</translation>
        </message>
        <message>
            <source>With a passphrase you can open the vault on another computer, or after this computer's keychain has been reset.</source>
            <translation>Mit einer Passphrase können Sie den Tresor auf einem anderen Computer öffnen oder nachdem der Schlüsselbund dieses Computers zurückgesetzt wurde.</translation>
        </message>
        <message>
            <source>Create vault</source>
            <translation>Tresor anlegen</translation>
        </message>
        <message>
            <source>The key is kept in your computer's keychain, which opens when you log in.</source>
            <translation>Der Schlüssel wird im Schlüsselbund Ihres Computers aufbewahrt, der sich bei Ihrer Anmeldung öffnet.</translation>
        </message>
        <message>
            <source>This computer has no keychain that Crasme Desktop can use, so the vault needs a passphrase.</source>
            <translation>Dieser Computer hat keinen Schlüsselbund, den Crasme Desktop nutzen kann; der Tresor braucht daher eine Passphrase.</translation>
        </message>
        <message>
            <source>Protect it with a passphrase</source>
            <translation>Mit einer Passphrase schützen</translation>
        </message>
        <message>
            <source>Creating your vault: making the key and the file…</source>
            <translation>Ihr Tresor wird angelegt: Schlüssel und Datei werden erstellt…</translation>
        </message>
    </context>
    <context>
        <name>ReadyPage</name>
        <message>
            <source>All set</source>
            <translation>Fertig</translation>
        </message>
        <message>
            <source>Your vault is created and open.</source>
            <translation>Ihr Tresor ist angelegt und geöffnet.</translation>
        </message>
        <message>
            <source>Start with an empty vault</source>
            <translation>Mit einem leeren Tresor beginnen</translation>
        </message>
        <message>
            <source>Start with sample data: about {count} made-up people and their companies to look around with</source>
            <translation>Mit Beispieldaten beginnen: etwa {count} erfundene Personen und ihre Firmen zum Ausprobieren</translation>
        </message>
        <message>
            <source>The sample people have made-up names and example.com addresses.</source>
            <translation>Die Beispielpersonen haben erfundene Namen und example.com-Adressen.</translation>
        </message>
        <message>
            <source>Open {app}</source>
            <translation>{app} öffnen</translation>
        </message>
        <message>
            <source>The vault is at {path}.
It unlocks with this computer's keychain or your passphrase, or with the recovery key.</source>
            <translation>Der Tresor liegt unter {path}.
Er wird mit dem Schlüsselbund dieses Computers oder Ihrer Passphrase entsperrt, oder mit dem Wiederherstellungsschlüssel.</translation>
        </message>
        <message>
            <source>The vault is at {path}.
It unlocks with this computer's keychain, or with the recovery key.</source>
            <translation>Der Tresor liegt unter {path}.
Er wird mit dem Schlüsselbund dieses Computers entsperrt, oder mit dem Wiederherstellungsschlüssel.</translation>
        </message>
        <message>
            <source>The vault is at {path}.
It unlocks with your passphrase, or with the recovery key.</source>
            <translation>Der Tresor liegt unter {path}.
Er wird mit Ihrer Passphrase entsperrt, oder mit dem Wiederherstellungsschlüssel.</translation>
        </message>
    </context>
    <context>
        <name>RecoveryKeyPanel</name>
        <message>
            <source>Save recovery kit</source>
            <extracomment>Asks where to save the kit; gets a suggested path, returns the chosen one or None.</extracomment>
            <translation>Wiederherstellungsblatt speichern</translation>
        </message>
        <message>
            <source>PDF documents (*.pdf)</source>
            <translation>PDF-Dokumente (*.pdf)</translation>
        </message>
        <message>
            <source>The disk is full, so the recovery kit could not be saved to {path}.</source>
            <translation>Der Datenträger ist voll; das Wiederherstellungsblatt konnte nicht unter {path} gespeichert werden.</translation>
        </message>
        <message>
            <source>Crasme Desktop may not write to {folder}; choose another folder.</source>
            <translation>Crasme Desktop darf nicht in {folder} schreiben; wählen Sie einen anderen Ordner.</translation>
        </message>
        <message>
            <source>The folder {folder} does not exist; choose another folder.</source>
            <translation>Der Ordner {folder} existiert nicht; wählen Sie einen anderen Ordner.</translation>
        </message>
        <message>
            <source>The recovery kit could not be saved to {path} ({reason}).</source>
            <translation>Das Wiederherstellungsblatt konnte nicht unter {path} gespeichert werden ({reason}).</translation>
        </message>
        <message>
            <source>Copy</source>
            <translation>Kopieren</translation>
        </message>
        <message>
            <source>Save recovery kit as PDF…</source>
            <translation>Wiederherstellungsblatt als PDF speichern…</translation>
        </message>
        <message>
            <source>I have written it down or printed it</source>
            <translation>Ich habe ihn notiert oder ausgedruckt</translation>
        </message>
        <message>
            <source>Copied. Paste it somewhere safe now: the clipboard is cleared in {seconds} seconds.</source>
            <translation>Kopiert. Fügen Sie ihn jetzt an einem sicheren Ort ein: Die Zwischenablage wird in {seconds} Sekunden geleert.</translation>
        </message>
        <message>
            <source>{vault} recovery kit.pdf</source>
            <translation>{vault} Wiederherstellungsblatt.pdf</translation>
        </message>
        <message>
            <source>Saving the recovery kit…</source>
            <translation>Wiederherstellungsblatt wird gespeichert…</translation>
        </message>
        <message>
            <source>Saved to {path}. Print it, then keep the paper somewhere safe.</source>
            <translation>Unter {path} gespeichert. Drucken Sie es aus und bewahren Sie das Blatt sicher auf.</translation>
        </message>
    </context>
    <context>
        <name>RecoveryKit</name>
        <message>
            <source>{app} recovery kit</source>
            <extracomment>Groups of the key per printed line; four 5-letter groups fit the mono size below.</extracomment>
            <translation>{app} Wiederherstellungsblatt</translation>
        </message>
        <message>
            <source>Recovery key for vault {id}</source>
            <translation>Wiederherstellungsschlüssel für Tresor {id}</translation>
        </message>
        <message>
            <source>Recovery kit</source>
            <translation>Wiederherstellungsblatt</translation>
        </message>
        <message>
            <source>This page holds the recovery key of your vault. With it you can open the vault even if this computer's keychain is gone or the passphrase is forgotten. Without it, nobody can help you get the data back.</source>
            <translation>Dieses Blatt enthält den Wiederherstellungsschlüssel Ihres Tresors. Damit können Sie den Tresor auch dann öffnen, wenn der Schlüsselbund dieses Computers verloren oder die Passphrase vergessen ist. Ohne ihn kann Ihnen niemand helfen, die Daten zurückzubekommen.</translation>
        </message>
        <message>
            <source>Your recovery key</source>
            <translation>Ihr Wiederherstellungsschlüssel</translation>
        </message>
        <message>
            <source>How to use it</source>
            <translation>So verwenden Sie ihn</translation>
        </message>
        <message>
            <source>Open {app} and choose this vault file.</source>
            <translation>Öffnen Sie {app} und wählen Sie diese Tresordatei.</translation>
        </message>
        <message>
            <source>On the unlock screen, choose &lt;b&gt;Use recovery key instead&lt;/b&gt;.</source>
            <translation>Wählen Sie auf dem Entsperrbildschirm &lt;b&gt;Stattdessen Wiederherstellungsschlüssel verwenden&lt;/b&gt;.</translation>
        </message>
        <message>
            <source>Type the key exactly as printed above, group by group.</source>
            <translation>Geben Sie den Schlüssel genau wie oben gedruckt ein, Gruppe für Gruppe.</translation>
        </message>
        <message>
            <source>If you used the key because the passphrase was forgotten, set a new passphrase once the vault is open, and keep the new recovery key that comes with it in place of this one.</source>
            <translation>Wenn Sie den Schlüssel wegen einer vergessenen Passphrase verwendet haben, legen Sie nach dem Öffnen eine neue Passphrase fest und bewahren Sie den neuen Wiederherstellungsschlüssel, den Sie dabei erhalten, anstelle dieses Blatts auf.</translation>
        </message>
        <message>
            <source>Where to keep it</source>
            <translation>Wo Sie ihn aufbewahren</translation>
        </message>
        <message>
            <source>Print this page and keep it with your important papers, such as in a locked drawer or a safe.</source>
            <translation>Drucken Sie dieses Blatt aus und bewahren Sie es bei Ihren wichtigen Unterlagen auf, etwa in einer verschlossenen Schublade oder einem Tresor.</translation>
        </message>
        <message>
            <source>Do not keep it on the same computer as the vault, and do not email it or put it in a shared folder.</source>
            <translation>Bewahren Sie es nicht auf demselben Computer wie den Tresor auf, versenden Sie es nicht per E-Mail und legen Sie es nicht in einen geteilten Ordner.</translation>
        </message>
        <message>
            <source>Anyone who has this key and a copy of the vault file can read everything in it. If the page is lost or seen by someone else, make a new key in Settings.</source>
            <translation>Wer diesen Schlüssel und eine Kopie der Tresordatei hat, kann alles darin lesen. Geht das Blatt verloren oder hat es jemand anderes gesehen, erzeugen Sie unter Einstellungen einen neuen Schlüssel.</translation>
        </message>
        <message>
            <source>Vault file</source>
            <translation>Tresordatei</translation>
        </message>
        <message>
            <source>Folder</source>
            <translation>Ordner</translation>
        </message>
        <message>
            <source>Vault ID</source>
            <translation>Tresor-ID</translation>
        </message>
        <message>
            <source>Created</source>
            <translation>Erstellt</translation>
        </message>
        <message>
            <source>Made by {app} {version}. Keep this page private.</source>
            <translation>Erstellt mit {app} {version}. Halten Sie dieses Blatt unter Verschluss.</translation>
        </message>
    </context>
    <context>
        <name>RecoveryPage</name>
        <message>
            <source>Your recovery key</source>
            <translation>Ihr Wiederherstellungsschlüssel</translation>
        </message>
        <message>
            <source>Shown only this once. Write it down or print it now.</source>
            <translation>Wird nur dieses eine Mal angezeigt. Notieren oder drucken Sie ihn jetzt.</translation>
        </message>
        <message>
            <source>Continue</source>
            <translation>Weiter</translation>
        </message>
        <message>
            <source>If this computer's keychain and your passphrase are ever both lost, this key is the only way into your vault. Nobody, including us, can recover the data without it.</source>
            <translation>Gehen der Schlüsselbund dieses Computers und Ihre Passphrase einmal beide verloren, ist dieser Schlüssel der einzige Weg in Ihren Tresor. Niemand, auch wir nicht, kann die Daten ohne ihn wiederherstellen.</translation>
        </message>
        <message>
            <source>Print it, or write it down, and keep it away from this computer: with the key and a copy of the file, anyone could read the vault.</source>
            <translation>Drucken oder notieren Sie ihn und bewahren Sie ihn getrennt von diesem Computer auf: Mit dem Schlüssel und einer Kopie der Datei könnte jeder den Tresor lesen.</translation>
        </message>
    </context>
    <context>
        <name>RestrictionDialog</name>
        <message>
            <source>The reason (kept with the person's record)</source>
            <translation>Der Grund (wird bei der Person gespeichert)</translation>
        </message>
        <message>
            <source>Restrict</source>
            <translation>Einschränken</translation>
        </message>
        <message>
            <source>History</source>
            <translation>Verlauf</translation>
        </message>
        <message>
            <source>Restricted</source>
            <translation>Eingeschränkt</translation>
        </message>
        <message>
            <source>Why</source>
            <translation>Grund</translation>
        </message>
        <message>
            <source>Lifted</source>
            <translation>Aufgehoben</translation>
        </message>
        <message>
            <source>Why lifted</source>
            <translation>Grund der Aufhebung</translation>
        </message>
        <message>
            <source>Restriction of {name}</source>
            <translation>Einschränkung von {name}</translation>
        </message>
        <message>
            <source>{name} is restricted since {since}: their record can be read but not changed, emailed or included in list exports. To lift the restriction, say why.</source>
            <translation>{name} ist seit {since} eingeschränkt: Der Datensatz kann gelesen, aber nicht geändert, per E-Mail angeschrieben oder in Listenexporte aufgenommen werden. Um die Einschränkung aufzuheben, geben Sie den Grund an.</translation>
        </message>
        <message>
            <source>Lift restriction</source>
            <translation>Einschränkung aufheben</translation>
        </message>
        <message>
            <source>While restricted, the record of {name} can be read but not changed, emailed or included in list exports. Say why it is restricted.</source>
            <translation>Solange die Einschränkung gilt, kann der Datensatz von {name} gelesen, aber nicht geändert, per E-Mail angeschrieben oder in Listenexporte aufgenommen werden. Geben Sie den Grund der Einschränkung an.</translation>
        </message>
    </context>
    <context>
        <name>RotateKeyDialog</name>
        <message>
            <source>Rotate the vault's key</source>
            <translation>Schlüssel des Tresors erneuern</translation>
        </message>
        <message>
            <source>A new key is made and the whole vault is encrypted with it. Do this when you think someone may have had the old key or your recovery kit. Your recovery key changes too: you will see the new one once, and the old recovery kit stops working. Large vaults take a minute or two; if the computer stops meanwhile, the vault opens with either key afterwards.</source>
            <translation>Ein neuer Schlüssel wird erzeugt und der ganze Tresor damit verschlüsselt. Tun Sie das, wenn Sie vermuten, dass jemand den alten Schlüssel oder Ihr Wiederherstellungsblatt hatte. Auch Ihr Wiederherstellungsschlüssel ändert sich: Sie sehen den neuen einmal, und das alte Wiederherstellungsblatt funktioniert nicht mehr. Große Tresore brauchen ein bis zwei Minuten; fällt der Computer währenddessen aus, öffnet sich der Tresor danach mit beiden Schlüsseln.</translation>
        </message>
        <message>
            <source>Your passphrase</source>
            <translation>Ihre Passphrase</translation>
        </message>
        <message>
            <source>Passphrase</source>
            <translation>Passphrase</translation>
        </message>
        <message>
            <source>Encrypting the vault with a new key… keep this window open.</source>
            <translation>Der Tresor wird mit einem neuen Schlüssel verschlüsselt… Lassen Sie dieses Fenster geöffnet.</translation>
        </message>
        <message>
            <source>The vault now has a new key. This is your new recovery key: write it down or save the recovery kit and print it. It is shown only now.</source>
            <translation>Der Tresor hat jetzt einen neuen Schlüssel. Dies ist Ihr neuer Wiederherstellungsschlüssel: Notieren Sie ihn oder speichern und drucken Sie das Wiederherstellungsblatt. Er wird nur jetzt angezeigt.</translation>
        </message>
        <message>
            <source>Rotate key</source>
            <translation>Schlüssel erneuern</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Abbrechen</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>Fertig</translation>
        </message>
        <message>
            <source>Type the vault's passphrase first.</source>
            <translation>Geben Sie zuerst die Passphrase des Tresors ein.</translation>
        </message>
        <message>
            <source>Keep the new recovery key first: tick the box once it is written down or printed.</source>
            <translation>Sichern Sie zuerst den neuen Wiederherstellungsschlüssel: Setzen Sie das Häkchen, sobald er notiert oder ausgedruckt ist.</translation>
        </message>
    </context>
    <context>
        <name>SettingsPage</name>
        <message>
            <source>Choose a new passphrase for this vault (or give it one)</source>
            <extracomment>The new idle limit in minutes (0 = never), once it is saved.</extracomment>
            <translation>Eine neue Passphrase für diesen Tresor wählen (oder ihm eine geben)</translation>
        </message>
        <message>
            <source>Encrypt the vault with a new key and get a new recovery key</source>
            <translation>Den Tresor mit einem neuen Schlüssel verschlüsseln und einen neuen Wiederherstellungsschlüssel erhalten</translation>
        </message>
    </context>
    <context>
        <name>TicketsPage</name>
        <message>
            <source>Up and down choose a ticket. Your role does not allow editing tickets.</source>
            <extracomment>The queue list, top to bottom ("" is the "By status" heading). (kind, record id): the main window shows that record (a person, a company). Asks which of `options` (text, value) to take; None when dismissed.</extracomment>
            <translation>Mit den Pfeiltasten nach oben und unten wählen Sie ein Ticket. Ihre Rolle erlaubt nicht, Tickets zu bearbeiten.</translation>
        </message>
    </context>
    <context>
        <name>TimelinePanel</name>
        <message>
            <source>Nothing on the timeline yet.</source>
            <extracomment>Why this user may not add to this record's timeline (None when they may).</extracomment>
            <translation>Noch nichts im Verlauf.</translation>
        </message>
    </context>
    <context>
        <name>UnlockScreen</name>
        <message>
            <source>This computer remembers your sign-in. Press Sign in to open the vault; there is nothing to type.</source>
            <translation>Dieser Computer merkt sich Ihre Anmeldung. Klicken Sie auf Anmelden, um den Tresor zu öffnen; Sie müssen nichts eingeben.</translation>
        </message>
        <message>
            <source>Sign in as someone else</source>
            <translation>Als jemand anderes anmelden</translation>
        </message>
        <message>
            <source>Use the sign-in this computer remembers</source>
            <translation>Die gespeicherte Anmeldung dieses Computers verwenden</translation>
        </message>
        <message>
            <source>Use the Owner's vault passphrase or recovery key</source>
            <translation>Passphrase oder Wiederherstellungsschlüssel des Eigentümers verwenden</translation>
        </message>
        <message>
            <source>The vault's own passphrase or recovery key opens it as its Owner</source>
            <translation>Die Passphrase oder der Wiederherstellungsschlüssel des Tresors öffnet ihn als Eigentümer</translation>
        </message>
        <message>
            <source>Your name, as the Owner set it up</source>
            <translation>Ihr Name, wie der Eigentümer ihn angelegt hat</translation>
        </message>
        <message>
            <source>Your name</source>
            <translation>Ihr Name</translation>
        </message>
        <message>
            <source>Your own passphrase</source>
            <translation>Ihre eigene Passphrase</translation>
        </message>
        <message>
            <source>Your passphrase</source>
            <translation>Ihre Passphrase</translation>
        </message>
        <message>
            <source>Remember me on this computer</source>
            <translation>Auf diesem Computer angemeldet bleiben</translation>
        </message>
        <message>
            <source>Keep your own sign-in in this computer's keychain, so that next time the vault opens as you without typing. Only for a computer nobody else uses with your account.</source>
            <translation>Ihre Anmeldung im Schlüsselbund dieses Computers speichern, damit sich der Tresor beim nächsten Mal ohne Eingabe für Sie öffnet. Nur für einen Computer, den niemand sonst mit Ihrem Konto nutzt.</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Passphrase</source>
            <translation>Passphrase</translation>
        </message>
        <message>
            <source>Who are you?</source>
            <translation>Wer sind Sie?</translation>
        </message>
        <message>
            <source>Welcome back</source>
            <translation>Willkommen zurück</translation>
        </message>
        <message>
            <source>Open as the Owner</source>
            <translation>Als Eigentümer öffnen</translation>
        </message>
        <message>
            <source>Unlock your vault</source>
            <translation>Tresor entsperren</translation>
        </message>
        <message>
            <source>Owner's vault passphrase</source>
            <translation>Tresor-Passphrase des Eigentümers</translation>
        </message>
        <message>
            <source>Sign in</source>
            <translation>Anmelden</translation>
        </message>
        <message>
            <source>Unlock</source>
            <translation>Entsperren</translation>
        </message>
        <message>
            <source>Sign in with your name</source>
            <translation>Mit Ihrem Namen anmelden</translation>
        </message>
        <message>
            <source>Use the Owner's vault passphrase instead</source>
            <translation>Stattdessen die Tresor-Passphrase des Eigentümers verwenden</translation>
        </message>
        <message>
            <source>Use passphrase instead</source>
            <translation>Stattdessen Passphrase verwenden</translation>
        </message>
        <message>
            <source>Vault locked</source>
            <translation>Tresor gesperrt</translation>
        </message>
        <message>
            <source>Signing in…</source>
            <translation>Anmeldung läuft…</translation>
        </message>
        <message>
            <source>Unlocking…</source>
            <translation>Wird entsperrt…</translation>
        </message>
        <message>
            <source>Type the name you sign in with first.</source>
            <translation>Geben Sie zuerst den Namen ein, mit dem Sie sich anmelden.</translation>
        </message>
        <message>
            <source>Type your passphrase first.</source>
            <translation>Geben Sie zuerst Ihre Passphrase ein.</translation>
        </message>
    </context>
    <context>
        <name>_RecordEditor</name>
        <message>
            <source>Close</source>
            <extracomment>Asked before unsaved changes are thrown away; True means "discard them". The permission area of the record ("contacts" or "companies"). Why this user may not save here (None when they may): the form is read-only.</extracomment>
            <translation>Schließen</translation>
        </message>
    </context>
    <context>
        <name>screen</name>
        <message>
            <source>Signing in…</source>
            <extracomment>Asks for a vault file to open, starting in a folder; None when the person cancels. The user whose sign-in this computer remembers (vaults with sign-ins only). Said on the unlock screen when the keychain held the key last time but not now. Said when the keychain's vault key was asked for but people sign in to the vault. While a vault stays open, whether an automatic backup is due is asked this often.</extracomment>
            <translation>Anmeldung läuft…</translation>
        </message>
    </context>
</TS>
