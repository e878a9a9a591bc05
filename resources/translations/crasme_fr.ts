<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr" sourcelanguage="en">
    <context>
        <name>AboutDialog</name>
        <message>
            <source>About {app}</source>
            <translation>À propos de {app}</translation>
        </message>
        <message>
            <source>A CRM for small offices that keeps everything in one encrypted file on your own computer. Nothing is sent anywhere.</source>
            <translation>Un CRM pour les petits bureaux qui conserve tout dans un seul fichier chiffré sur votre propre ordinateur. Rien n’est envoyé nulle part.</translation>
        </message>
        <message>
            <source>{copyright}.&lt;br&gt;Free software under the {licence}: you may share and change it under its terms. It comes with no warranty. &lt;a href="https://www.gnu.org/licenses/gpl-3.0.html"&gt;Read the licence&lt;/a&gt;.</source>
            <translation>{copyright}.&lt;br&gt;Logiciel libre sous {licence} : vous pouvez le partager et le modifier selon ses termes. Il est fourni sans aucune garantie. &lt;a href="https://www.gnu.org/licenses/gpl-3.0.html"&gt;Lire la licence&lt;/a&gt;.</translation>
        </message>
        <message>
            <source>Copy version details</source>
            <translation>Copier les informations de version</translation>
        </message>
    </context>
    <context>
        <name>BoardTab</name>
        <message>
            <source>Keyboard: arrows between cards, Enter to open one. Your role does not allow moving deals.</source>
            <translation>Clavier : flèches pour passer d’une carte à l’autre, Entrée pour en ouvrir une. Votre rôle ne permet pas de déplacer les affaires.</translation>
        </message>
    </context>
    <context>
        <name>ChangePassphraseDialog</name>
        <message>
            <source>Change passphrase</source>
            <translation>Changer la phrase secrète</translation>
        </message>
        <message>
            <source>Add a passphrase</source>
            <translation>Ajouter une phrase secrète</translation>
        </message>
        <message>
            <source>The new passphrase opens this vault from now on; the old one stops working at once. Your recovery key and this computer's keychain keep working as before.</source>
            <translation>La nouvelle phrase secrète ouvre ce coffre dès maintenant ; l’ancienne cesse aussitôt de fonctionner. Votre clé de récupération et le trousseau de cet ordinateur fonctionnent comme avant.</translation>
        </message>
        <message>
            <source>With a passphrase you can open this vault on a computer whose keychain does not hold its key. Your recovery key keeps working as before.</source>
            <translation>Avec une phrase secrète, vous pouvez ouvrir ce coffre sur un ordinateur dont le trousseau ne contient pas sa clé. Votre clé de récupération fonctionne comme avant.</translation>
        </message>
        <message>
            <source>Your passphrase now</source>
            <translation>Votre phrase secrète actuelle</translation>
        </message>
        <message>
            <source>Add passphrase</source>
            <translation>Ajouter la phrase secrète</translation>
        </message>
        <message>
            <source>Current passphrase</source>
            <translation>Phrase secrète actuelle</translation>
        </message>
        <message>
            <source>Type the passphrase you use now first.</source>
            <translation>Saisissez d’abord la phrase secrète que vous utilisez actuellement.</translation>
        </message>
        <message>
            <source>Passphrase changed. Use the new one from now on.</source>
            <translation>Phrase secrète modifiée. Utilisez désormais la nouvelle.</translation>
        </message>
    </context>
    <context>
        <name>CompanyEditor</name>
        <message>
            <source>View company</source>
            <translation>Voir l’entreprise</translation>
        </message>
    </context>
    <context>
        <name>ConsentDialog</name>
        <message>
            <source>Agreed</source>
            <translation>Accepté</translation>
        </message>
        <message>
            <source>Withdrew or refused</source>
            <translation>Retiré ou refusé</translation>
        </message>
        <message>
            <source>Phone call, signed form, email of 3 March…</source>
            <translation>Appel, formulaire signé, e-mail du 3 mars…</translation>
        </message>
        <message>
            <source>Purpose</source>
            <translation>Finalité</translation>
        </message>
        <message>
            <source>Choice</source>
            <translation>Choix</translation>
        </message>
        <message>
            <source>Where it came from</source>
            <translation>Provenance</translation>
        </message>
        <message>
            <source>Record choice</source>
            <translation>Enregistrer le choix</translation>
        </message>
        <message>
            <source>History</source>
            <translation>Historique</translation>
        </message>
        <message>
            <source>When</source>
            <translation>Quand</translation>
        </message>
        <message>
            <source>From</source>
            <translation>Du</translation>
        </message>
        <message>
            <source>Notice</source>
            <translation>Notice</translation>
        </message>
        <message>
            <source>Consent of {name}</source>
            <translation>Consentement de {name}</translation>
        </message>
        <message>
            <source>{purpose}: yes</source>
            <translation>{purpose} : oui</translation>
        </message>
        <message>
            <source>{purpose}: no</source>
            <translation>{purpose} : non</translation>
        </message>
        <message>
            <source>Now: {choices}.</source>
            <translation>Actuellement : {choices}.</translation>
        </message>
        <message>
            <source>Restricted: nobody may contact them.</source>
            <translation>Restreint : personne ne peut la contacter.</translation>
        </message>
        <message>
            <source>Withdrew</source>
            <translation>Retiré</translation>
        </message>
    </context>
    <context>
        <name>CrashReporter</name>
        <message>
            <source>The details were written to {path}.</source>
            <extracomment>The same file the command line writes its bug reports to, so there is one place to look.</extracomment>
            <translation>Les détails ont été écrits dans {path}.</translation>
        </message>
        <message>
            <source>The details could not be written to a log file.</source>
            <translation>Les détails n’ont pas pu être écrits dans un fichier journal.</translation>
        </message>
        <message>
            <source>{app} ran into a problem it did not expect, so the last thing you asked for was not finished. {where} Your vault is safe; you can carry on, or close and reopen the app if something looks wrong.</source>
            <translation>{app} a rencontré un problème inattendu : votre dernière demande n’a donc pas abouti. {where} Votre coffre est en sécurité ; vous pouvez continuer, ou fermer puis rouvrir l’application si quelque chose vous semble anormal.</translation>
        </message>
        <message>
            <source>{app} — unexpected problem</source>
            <translation>{app} – problème inattendu</translation>
        </message>
        <message>
            <source>Something went wrong</source>
            <translation>Un problème est survenu</translation>
        </message>
    </context>
    <context>
        <name>DealEditor</name>
        <message>
            <source>View deal</source>
            <extracomment>The probability box's first value, shown as "the stage's". Why this user may not save here (None when they may): the form is read-only.</extracomment>
            <translation>Voir l’affaire</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Fermer</translation>
        </message>
    </context>
    <context>
        <name>FirstRunWizard</name>
        <message>
            <source>Set up {app}</source>
            <translation>Configurer {app}</translation>
        </message>
    </context>
    <context>
        <name>JobEditor</name>
        <message>
            <source>View job</source>
            <extracomment>Asks whether to save despite the plan's warnings; tests answer for the person. Why this user may not save here (None when they may): the form is read-only.</extracomment>
            <translation>Voir l’intervention</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Fermer</translation>
        </message>
    </context>
    <context>
        <name>LanguageSettingsSection</name>
        <message>
            <source>Language</source>
            <translation>Langue</translation>
        </message>
        <message>
            <source>Same as this computer</source>
            <translation>Comme cet ordinateur</translation>
        </message>
        <message>
            <source>The language of the window, of the PDFs and of the e-mails made on this computer.</source>
            <translation>La langue de la fenêtre, ainsi que des PDF et des e-mails créés sur cet ordinateur.</translation>
        </message>
        <message>
            <source>Saved. The new language is used from the next start.</source>
            <translation>Enregistré. La nouvelle langue s’applique au prochain démarrage.</translation>
        </message>
        <message>
            <source>Saved.</source>
            <translation>Enregistré.</translation>
        </message>
    </context>
    <context>
        <name>LocationPage</name>
        <message>
            <source>Welcome to {app}</source>
            <extracomment>How many made-up people "Start with sample data" adds: enough to look around.</extracomment>
            <translation>Bienvenue dans {app}</translation>
        </message>
        <message>
            <source>Your contacts, deals and invoices are kept in one encrypted file on this computer. Choose where that file goes.</source>
            <translation>Vos contacts, affaires et factures sont conservés dans un seul fichier chiffré sur cet ordinateur. Choisissez où placer ce fichier.</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>Parcourir…</translation>
        </message>
        <message>
            <source>Vault file</source>
            <translation>Fichier du coffre</translation>
        </message>
        <message>
            <source>The suggested place is fine for most people. If you pick your own, choose a folder that your backups include.</source>
            <translation>L’emplacement proposé convient à la plupart des gens. Si vous choisissez le vôtre, prenez un dossier inclus dans vos sauvegardes.</translation>
        </message>
        <message>
            <source>A vault already exists at {path}; choose another name or folder.</source>
            <translation>Un coffre existe déjà à l’emplacement {path} ; choisissez un autre nom ou un autre dossier.</translation>
        </message>
        <message>
            <source>{path} is a file, not a folder; choose a folder.</source>
            <translation>{path} est un fichier, pas un dossier ; choisissez un dossier.</translation>
        </message>
        <message>
            <source>Where to keep the vault</source>
            <translation>Où conserver le coffre</translation>
        </message>
        <message>
            <source>{app} vaults (*{suffix})</source>
            <translation>Coffres {app} (*{suffix})</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Audit trail</source>
            <extracomment>Which page shows a record of each kind the search finds, and its method that selects and shows one record there. The role needs one of these permissions to see the page (none: everyone does). The sidebar, top to bottom. Ctrl+1 … Ctrl+9 go to the first nine pages the role sees, in this order, and Ctrl+0 to Settings.</extracomment>
            <translation>Journal d’audit</translation>
        </message>
        <message>
            <source>Make a backup of the vault now and check it</source>
            <extracomment>What exporting the whole vault needs (as services.privacy_export.WHOLE_VAULT). A page's method that prints what it shows, for File › Print… The settings page saved a new idle limit (minutes; 0 = never). Everything was erased (the erase-all dialog): back to the start screen. File › Switch user…: lock and sign in as someone else (the controller decides).</extracomment>
            <translation>Faire maintenant une sauvegarde du coffre et la vérifier</translation>
        </message>
        <message>
            <source>Choose a new passphrase for this vault</source>
            <translation>Choisir une nouvelle phrase secrète pour ce coffre</translation>
        </message>
        <message>
            <source>Encrypt the vault with a new key and get a new recovery key</source>
            <translation>Chiffrer le coffre avec une nouvelle clé et obtenir une nouvelle clé de récupération</translation>
        </message>
        <message>
            <source>Export everything in the vault to one file</source>
            <translation>Exporter tout le contenu du coffre dans un seul fichier</translation>
        </message>
        <message>
            <source>Print what this page shows, where it can be printed</source>
            <translation>Imprimer ce qu’affiche cette page, si elle peut être imprimée</translation>
        </message>
        <message>
            <source>{user} ({role})</source>
            <translation>{user} ({role})</translation>
        </message>
        <message>
            <source>Signed in as {user}, role {role}</source>
            <translation>Connecté en tant que {user}, rôle {role}</translation>
        </message>
        <message>
            <source>Working as the vault's owner; add users in Settings</source>
            <translation>Vous travaillez en tant que propriétaire du coffre ; ajoutez des utilisateurs dans les Paramètres</translation>
        </message>
        <message>
            <source>S&amp;witch user…</source>
            <translation>Chan&amp;ger d’utilisateur…</translation>
        </message>
        <message>
            <source>Lock the vault and sign in as someone else</source>
            <translation>Verrouiller le coffre et se connecter sous un autre nom</translation>
        </message>
        <message>
            <source>&amp;Back up now</source>
            <translation>&amp;Sauvegarder maintenant</translation>
        </message>
        <message>
            <source>Change &amp;passphrase…</source>
            <translation>Changer la &amp;phrase secrète…</translation>
        </message>
        <message>
            <source>&amp;Rotate key…</source>
            <translation>&amp;Renouveler la clé…</translation>
        </message>
        <message>
            <source>&amp;Export the whole vault…</source>
            <translation>&amp;Exporter tout le coffre…</translation>
        </message>
        <message>
            <source>&amp;Print…</source>
            <translation>&amp;Imprimer…</translation>
        </message>
        <message>
            <source>There is nothing to print on this page.</source>
            <translation>Il n’y a rien à imprimer sur cette page.</translation>
        </message>
    </context>
    <context>
        <name>NoticeBar</name>
        <message>
            <source>Please read the privacy notice of this vault: it says what Crasme Desktop keeps, where, and for how long.</source>
            <translation>Veuillez lire la notice de confidentialité de ce coffre : elle indique ce que Crasme Desktop conserve, où et pendant combien de temps.</translation>
        </message>
        <message>
            <source>Read the notice…</source>
            <translation>Lire la notice…</translation>
        </message>
    </context>
    <context>
        <name>NoticeDialog</name>
        <message>
            <source>{app} privacy notice</source>
            <translation>Notice de confidentialité de {app}</translation>
        </message>
        <message>
            <source>Please read how Crasme Desktop keeps and protects the data in this vault. It is shown once for each version of the notice.</source>
            <translation>Veuillez lire comment Crasme Desktop conserve et protège les données de ce coffre. Elle est affichée une fois pour chaque version de la notice.</translation>
        </message>
        <message>
            <source>I have read this</source>
            <translation>J’ai lu cette notice</translation>
        </message>
    </context>
    <context>
        <name>NoticeView</name>
        <message>
            <source>Reading the notice…</source>
            <translation>Chargement de la notice…</translation>
        </message>
        <message>
            <source>Version {version} acknowledged by {who} on {when}.</source>
            <translation>Version {version} lue et confirmée par {who} le {when}.</translation>
        </message>
        <message>
            <source>Version {version} acknowledged on {when}.</source>
            <translation>Version {version} lue et confirmée le {when}.</translation>
        </message>
        <message>
            <source>This is version {version}, not yet acknowledged.</source>
            <translation>Ceci est la version {version}, pas encore confirmée.</translation>
        </message>
        <message>
            <source>Version {version}, not yet acknowledged.</source>
            <translation>Version {version}, pas encore confirmée.</translation>
        </message>
    </context>
    <context>
        <name>Passphrase</name>
        <message>
            <source>Use at least {n} characters; a few unrelated words work well.</source>
            <extracomment>Passphrases so common that their length says nothing about their strength.</extracomment>
            <translation>Utilisez au moins {n} caractères ; quelques mots sans rapport entre eux conviennent bien.</translation>
        </message>
        <message>
            <source>Too short: use at least {n} characters.</source>
            <translation>Trop court : utilisez au moins {n} caractères.</translation>
        </message>
        <message>
            <source>Very easy to guess: choose something less common.</source>
            <translation>Très facile à deviner : choisissez quelque chose de moins courant.</translation>
        </message>
        <message>
            <source>Weak: longer is stronger, such as three or four unrelated words.</source>
            <translation>Faible : plus c’est long, plus c’est sûr, par exemple trois ou quatre mots sans rapport.</translation>
        </message>
        <message>
            <source>Fair: adding another word would make it much stronger.</source>
            <translation>Moyenne : un mot de plus la rendrait bien plus sûre.</translation>
        </message>
        <message>
            <source>Good.</source>
            <translation>Bonne.</translation>
        </message>
        <message>
            <source>Strong.</source>
            <translation>Forte.</translation>
        </message>
    </context>
    <context>
        <name>PassphraseFields</name>
        <message>
            <source>Passphrase</source>
            <translation>Phrase secrète</translation>
        </message>
        <message>
            <source>Type it again</source>
            <translation>Saisissez-la à nouveau</translation>
        </message>
        <message>
            <source>The passphrase needs at least {n} characters.</source>
            <translation>La phrase secrète doit comporter au moins {n} caractères.</translation>
        </message>
        <message>
            <source>The two passphrases are not the same yet.</source>
            <translation>Les deux phrases secrètes ne sont pas encore identiques.</translation>
        </message>
    </context>
    <context>
        <name>PersonDetail</name>
        <message>
            <source>Who saw or changed this</source>
            <extracomment>Links to records inside the app: "record:organization/ID". How many of a person's audit events the pane lists (the Audit page has them all). ("person" | "organization", id): the person wants to go to another record. ("person", keep_id, other_id): merge the shown person with a duplicate. The shown person's id: the person wants to change it. The shown person's id, once they were erased from the vault here.</extracomment>
            <translation>Qui a consulté ou modifié ceci</translation>
        </message>
        <message>
            <source>When</source>
            <translation>Quand</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>Qui</translation>
        </message>
        <message>
            <source>What</source>
            <translation>Quoi</translation>
        </message>
        <message>
            <source>Who saw or changed this person</source>
            <translation>Qui a consulté ou modifié cette personne</translation>
        </message>
        <message>
            <source>The newest {count} events; the Audit trail page lists them all.</source>
            <translation>Les {count} événements les plus récents ; la page Journal d’audit les liste tous.</translation>
        </message>
    </context>
    <context>
        <name>PersonEditor</name>
        <message>
            <source>View person</source>
            <extracomment>The person chose to open an existing person instead of saving a duplicate.</extracomment>
            <translation>Voir la personne</translation>
        </message>
    </context>
    <context>
        <name>PrivacyNotice</name>
        <message>
            <source>Marketing email</source>
            <extracomment>(purpose, name shown): as services/privacy_consent.py PURPOSE_NAMES. Translated where shown (`_purpose_name`).</extracomment>
            <translation>E-mails marketing</translation>
        </message>
        <message>
            <source>Text messages (SMS)</source>
            <translation>SMS</translation>
        </message>
        <message>
            <source>Newsletter</source>
            <translation>Lettre d’information</translation>
        </message>
    </context>
    <context>
        <name>ProtectionPage</name>
        <message>
            <source>How should the vault be unlocked?</source>
            <translation>Comment le coffre doit-il être déverrouillé ?</translation>
        </message>
        <message>
            <source>Everything in the vault is encrypted. Choose how you will open it; you will also get a recovery key in case everything else is lost.</source>
            <translation>Tout le contenu du coffre est chiffré. Choisissez comment vous l’ouvrirez ; vous recevrez aussi une clé de récupération au cas où tout le reste serait perdu.</translation>
        </message>
        <message>
            <source>Unlock with this computer's keychain (nothing to type)</source>
            <translation>Déverrouiller avec le trousseau de cet ordinateur (rien à saisir)</translation>
        </message>
        <message>
            <source>Checking this computer's keychain…</source>
            <translation>Vérification du trousseau de cet ordinateur…</translation>
        </message>
        <message>
            <source>Protect it with a passphrase as well</source>
            <translation>Le protéger aussi par une phrase secrète</translation>
        </message>
        <message>
            <source>With a passphrase you can open the vault on another computer, or after this computer's keychain has been reset.</source>
            <translation>Avec une phrase secrète, vous pouvez ouvrir le coffre sur un autre ordinateur, ou après la réinitialisation du trousseau de cet ordinateur.</translation>
        </message>
        <message>
            <source>Create vault</source>
            <translation>Créer le coffre</translation>
        </message>
        <message>
            <source>The key is kept in your computer's keychain, which opens when you log in.</source>
            <translation>La clé est conservée dans le trousseau de votre ordinateur, qui s’ouvre lorsque vous ouvrez votre session.</translation>
        </message>
        <message>
            <source>This computer has no keychain that Crasme Desktop can use, so the vault needs a passphrase.</source>
            <translation>Cet ordinateur n’a pas de trousseau utilisable par Crasme Desktop : le coffre a donc besoin d’une phrase secrète.</translation>
        </message>
        <message>
            <source>Protect it with a passphrase</source>
            <translation>Le protéger par une phrase secrète</translation>
        </message>
        <message>
            <source>Creating your vault: making the key and the file…</source>
            <translation>Création de votre coffre : génération de la clé et du fichier…</translation>
        </message>
    </context>
    <context>
        <name>ReadyPage</name>
        <message>
            <source>All set</source>
            <translation>Tout est prêt</translation>
        </message>
        <message>
            <source>Your vault is created and open.</source>
            <translation>Votre coffre est créé et ouvert.</translation>
        </message>
        <message>
            <source>Start with an empty vault</source>
            <translation>Commencer avec un coffre vide</translation>
        </message>
        <message>
            <source>Start with sample data: about {count} made-up people and their companies to look around with</source>
            <translation>Commencer avec des données d’exemple : environ {count} personnes fictives et leurs entreprises, pour découvrir le logiciel</translation>
        </message>
        <message>
            <source>The sample people have made-up names and example.com addresses.</source>
            <translation>Les personnes d’exemple ont des noms inventés et des adresses example.com.</translation>
        </message>
        <message>
            <source>Open {app}</source>
            <translation>Ouvrir {app}</translation>
        </message>
        <message>
            <source>The vault is at {path}.
It unlocks with this computer's keychain or your passphrase, or with the recovery key.</source>
            <translation>Le coffre se trouve à l’emplacement {path}.
Il se déverrouille avec le trousseau de cet ordinateur ou votre phrase secrète, ou avec la clé de récupération.</translation>
        </message>
        <message>
            <source>The vault is at {path}.
It unlocks with this computer's keychain, or with the recovery key.</source>
            <translation>Le coffre se trouve à l’emplacement {path}.
Il se déverrouille avec le trousseau de cet ordinateur, ou avec la clé de récupération.</translation>
        </message>
        <message>
            <source>The vault is at {path}.
It unlocks with your passphrase, or with the recovery key.</source>
            <translation>Le coffre se trouve à l’emplacement {path}.
Il se déverrouille avec votre phrase secrète, ou avec la clé de récupération.</translation>
        </message>
    </context>
    <context>
        <name>RecoveryKeyPanel</name>
        <message>
            <source>Save recovery kit</source>
            <extracomment>Asks where to save the kit; gets a suggested path, returns the chosen one or None.</extracomment>
            <translation>Enregistrer le kit de récupération</translation>
        </message>
        <message>
            <source>PDF documents (*.pdf)</source>
            <translation>Documents PDF (*.pdf)</translation>
        </message>
        <message>
            <source>The disk is full, so the recovery kit could not be saved to {path}.</source>
            <translation>Le disque est plein : le kit de récupération n’a pas pu être enregistré dans {path}.</translation>
        </message>
        <message>
            <source>Crasme Desktop may not write to {folder}; choose another folder.</source>
            <translation>Crasme Desktop n’a pas le droit d’écrire dans {folder} ; choisissez un autre dossier.</translation>
        </message>
        <message>
            <source>The folder {folder} does not exist; choose another folder.</source>
            <translation>Le dossier {folder} n’existe pas ; choisissez un autre dossier.</translation>
        </message>
        <message>
            <source>The recovery kit could not be saved to {path} ({reason}).</source>
            <translation>Le kit de récupération n’a pas pu être enregistré dans {path} ({reason}).</translation>
        </message>
        <message>
            <source>Copy</source>
            <translation>Copier</translation>
        </message>
        <message>
            <source>Save recovery kit as PDF…</source>
            <translation>Enregistrer le kit de récupération en PDF…</translation>
        </message>
        <message>
            <source>I have written it down or printed it</source>
            <translation>Je l’ai noté ou imprimé</translation>
        </message>
        <message>
            <source>Copied. Paste it somewhere safe now: the clipboard is cleared in {seconds} seconds.</source>
            <translation>Copié. Collez-la maintenant en lieu sûr : le presse-papiers sera vidé dans {seconds} secondes.</translation>
        </message>
        <message>
            <source>{vault} recovery kit.pdf</source>
            <translation>{vault} kit de récupération.pdf</translation>
        </message>
        <message>
            <source>Saving the recovery kit…</source>
            <translation>Enregistrement du kit de récupération…</translation>
        </message>
        <message>
            <source>Saved to {path}. Print it, then keep the paper somewhere safe.</source>
            <translation>Enregistré dans {path}. Imprimez-le, puis conservez la feuille en lieu sûr.</translation>
        </message>
    </context>
    <context>
        <name>RecoveryKit</name>
        <message>
            <source>{app} recovery kit</source>
            <extracomment>Groups of the key per printed line; four 5-letter groups fit the mono size below.</extracomment>
            <translation>Kit de récupération {app}</translation>
        </message>
        <message>
            <source>Recovery key for vault {id}</source>
            <translation>Clé de récupération du coffre {id}</translation>
        </message>
        <message>
            <source>Recovery kit</source>
            <translation>Kit de récupération</translation>
        </message>
        <message>
            <source>This page holds the recovery key of your vault. With it you can open the vault even if this computer's keychain is gone or the passphrase is forgotten. Without it, nobody can help you get the data back.</source>
            <translation>Cette page contient la clé de récupération de votre coffre. Elle vous permet d’ouvrir le coffre même si le trousseau de cet ordinateur a disparu ou si la phrase secrète est oubliée. Sans elle, personne ne peut vous aider à récupérer les données.</translation>
        </message>
        <message>
            <source>Your recovery key</source>
            <translation>Votre clé de récupération</translation>
        </message>
        <message>
            <source>How to use it</source>
            <translation>Comment l’utiliser</translation>
        </message>
        <message>
            <source>Open {app} and choose this vault file.</source>
            <translation>Ouvrez {app} et choisissez ce fichier de coffre.</translation>
        </message>
        <message>
            <source>On the unlock screen, choose &lt;b&gt;Use recovery key instead&lt;/b&gt;.</source>
            <translation>Sur l’écran de déverrouillage, choisissez &lt;b&gt;Utiliser plutôt la clé de récupération&lt;/b&gt;.</translation>
        </message>
        <message>
            <source>Type the key exactly as printed above, group by group.</source>
            <translation>Saisissez la clé exactement comme elle est imprimée ci-dessus, groupe par groupe.</translation>
        </message>
        <message>
            <source>If you used the key because the passphrase was forgotten, set a new passphrase once the vault is open, and keep the new recovery key that comes with it in place of this one.</source>
            <translation>Si vous avez utilisé la clé parce que la phrase secrète était oubliée, définissez une nouvelle phrase secrète une fois le coffre ouvert, et conservez la nouvelle clé de récupération qui l’accompagne à la place de celle-ci.</translation>
        </message>
        <message>
            <source>Where to keep it</source>
            <translation>Où la conserver</translation>
        </message>
        <message>
            <source>Print this page and keep it with your important papers, such as in a locked drawer or a safe.</source>
            <translation>Imprimez cette page et rangez-la avec vos papiers importants, par exemple dans un tiroir fermé à clé ou un coffre-fort.</translation>
        </message>
        <message>
            <source>Do not keep it on the same computer as the vault, and do not email it or put it in a shared folder.</source>
            <translation>Ne la conservez pas sur le même ordinateur que le coffre, ne l’envoyez pas par e-mail et ne la placez pas dans un dossier partagé.</translation>
        </message>
        <message>
            <source>Anyone who has this key and a copy of the vault file can read everything in it. If the page is lost or seen by someone else, make a new key in Settings.</source>
            <translation>Quiconque possède cette clé et une copie du fichier du coffre peut tout y lire. Si la page est perdue ou vue par quelqu’un d’autre, créez une nouvelle clé dans les Paramètres.</translation>
        </message>
        <message>
            <source>Vault file</source>
            <translation>Fichier du coffre</translation>
        </message>
        <message>
            <source>Folder</source>
            <translation>Dossier</translation>
        </message>
        <message>
            <source>Vault ID</source>
            <translation>Identifiant du coffre</translation>
        </message>
        <message>
            <source>Created</source>
            <translation>Créé le</translation>
        </message>
        <message>
            <source>Made by {app} {version}. Keep this page private.</source>
            <translation>Créé par {app} {version}. Gardez cette page confidentielle.</translation>
        </message>
    </context>
    <context>
        <name>RecoveryPage</name>
        <message>
            <source>Your recovery key</source>
            <translation>Votre clé de récupération</translation>
        </message>
        <message>
            <source>Shown only this once. Write it down or print it now.</source>
            <translation>Affichée cette seule fois. Notez-la ou imprimez-la maintenant.</translation>
        </message>
        <message>
            <source>Continue</source>
            <translation>Continuer</translation>
        </message>
        <message>
            <source>If this computer's keychain and your passphrase are ever both lost, this key is the only way into your vault. Nobody, including us, can recover the data without it.</source>
            <translation>Si le trousseau de cet ordinateur et votre phrase secrète sont un jour perdus tous les deux, cette clé est le seul moyen d’ouvrir votre coffre. Personne, pas même nous, ne peut récupérer les données sans elle.</translation>
        </message>
        <message>
            <source>Print it, or write it down, and keep it away from this computer: with the key and a copy of the file, anyone could read the vault.</source>
            <translation>Imprimez-la ou notez-la, et conservez-la loin de cet ordinateur : avec la clé et une copie du fichier, n’importe qui pourrait lire le coffre.</translation>
        </message>
    </context>
    <context>
        <name>RestrictionDialog</name>
        <message>
            <source>The reason (kept with the person's record)</source>
            <translation>La raison (conservée avec la fiche de la personne)</translation>
        </message>
        <message>
            <source>Restrict</source>
            <translation>Restreindre</translation>
        </message>
        <message>
            <source>History</source>
            <translation>Historique</translation>
        </message>
        <message>
            <source>Restricted</source>
            <translation>Restreint</translation>
        </message>
        <message>
            <source>Why</source>
            <translation>Motif</translation>
        </message>
        <message>
            <source>Lifted</source>
            <translation>Levée</translation>
        </message>
        <message>
            <source>Why lifted</source>
            <translation>Motif de la levée</translation>
        </message>
        <message>
            <source>Restriction of {name}</source>
            <translation>Restriction de {name}</translation>
        </message>
        <message>
            <source>{name} is restricted since {since}: their record can be read but not changed, emailed or included in list exports. To lift the restriction, say why.</source>
            <translation>{name} fait l’objet d’une restriction depuis le {since} : sa fiche peut être lue mais ni modifiée, ni contactée par e-mail, ni incluse dans les exports de listes. Pour lever la restriction, indiquez pourquoi.</translation>
        </message>
        <message>
            <source>Lift restriction</source>
            <translation>Lever la restriction</translation>
        </message>
        <message>
            <source>While restricted, the record of {name} can be read but not changed, emailed or included in list exports. Say why it is restricted.</source>
            <translation>Pendant la restriction, la fiche de {name} peut être lue mais ni modifiée, ni contactée par e-mail, ni incluse dans les exports de listes. Indiquez le motif de la restriction.</translation>
        </message>
    </context>
    <context>
        <name>RotateKeyDialog</name>
        <message>
            <source>Rotate the vault's key</source>
            <translation>Renouveler la clé du coffre</translation>
        </message>
        <message>
            <source>A new key is made and the whole vault is encrypted with it. Do this when you think someone may have had the old key or your recovery kit. Your recovery key changes too: you will see the new one once, and the old recovery kit stops working. Large vaults take a minute or two; if the computer stops meanwhile, the vault opens with either key afterwards.</source>
            <translation>Une nouvelle clé est créée et tout le coffre est chiffré avec elle. Faites-le si vous pensez que quelqu’un a pu avoir l’ancienne clé ou votre kit de récupération. Votre clé de récupération change aussi : vous verrez la nouvelle une seule fois, et l’ancien kit de récupération cesse de fonctionner. Les gros coffres prennent une minute ou deux ; si l’ordinateur s’arrête entre-temps, le coffre s’ouvre ensuite avec l’une ou l’autre clé.</translation>
        </message>
        <message>
            <source>Your passphrase</source>
            <translation>Votre phrase secrète</translation>
        </message>
        <message>
            <source>Passphrase</source>
            <translation>Phrase secrète</translation>
        </message>
        <message>
            <source>Encrypting the vault with a new key… keep this window open.</source>
            <translation>Chiffrement du coffre avec une nouvelle clé… laissez cette fenêtre ouverte.</translation>
        </message>
        <message>
            <source>The vault now has a new key. This is your new recovery key: write it down or save the recovery kit and print it. It is shown only now.</source>
            <translation>Le coffre a maintenant une nouvelle clé. Voici votre nouvelle clé de récupération : notez-la, ou enregistrez le kit de récupération et imprimez-le. Elle n’est affichée que maintenant.</translation>
        </message>
        <message>
            <source>Rotate key</source>
            <translation>Renouveler la clé</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Annuler</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>Terminé</translation>
        </message>
        <message>
            <source>Type the vault's passphrase first.</source>
            <translation>Saisissez d’abord la phrase secrète du coffre.</translation>
        </message>
        <message>
            <source>Keep the new recovery key first: tick the box once it is written down or printed.</source>
            <translation>Conservez d’abord la nouvelle clé de récupération : cochez la case une fois qu’elle est notée ou imprimée.</translation>
        </message>
    </context>
    <context>
        <name>SettingsPage</name>
        <message>
            <source>Choose a new passphrase for this vault (or give it one)</source>
            <extracomment>The new idle limit in minutes (0 = never), once it is saved.</extracomment>
            <translation>Choisir une nouvelle phrase secrète pour ce coffre (ou lui en donner une)</translation>
        </message>
        <message>
            <source>Encrypt the vault with a new key and get a new recovery key</source>
            <translation>Chiffrer le coffre avec une nouvelle clé et obtenir une nouvelle clé de récupération</translation>
        </message>
    </context>
    <context>
        <name>TicketsPage</name>
        <message>
            <source>Up and down choose a ticket. Your role does not allow editing tickets.</source>
            <extracomment>The queue list, top to bottom ("" is the "By status" heading). (kind, record id): the main window shows that record (a person, a company). Asks which of `options` (text, value) to take; None when dismissed.</extracomment>
            <translation>Les flèches haut et bas choisissent un ticket. Votre rôle ne permet pas de modifier les tickets.</translation>
        </message>
    </context>
    <context>
        <name>TimelinePanel</name>
        <message>
            <source>Nothing on the timeline yet.</source>
            <extracomment>Why this user may not add to this record's timeline (None when they may).</extracomment>
            <translation>Rien dans l’historique pour l’instant.</translation>
        </message>
    </context>
    <context>
        <name>UnlockScreen</name>
        <message>
            <source>This computer remembers your sign-in. Press Sign in to open the vault; there is nothing to type.</source>
            <translation>Cet ordinateur se souvient de votre connexion. Cliquez sur Se connecter pour ouvrir le coffre ; il n’y a rien à saisir.</translation>
        </message>
        <message>
            <source>Sign in as someone else</source>
            <translation>Se connecter sous un autre nom</translation>
        </message>
        <message>
            <source>Use the sign-in this computer remembers</source>
            <translation>Utiliser la connexion mémorisée sur cet ordinateur</translation>
        </message>
        <message>
            <source>Use the Owner's vault passphrase or recovery key</source>
            <translation>Utiliser la phrase secrète du coffre ou la clé de récupération du propriétaire</translation>
        </message>
        <message>
            <source>The vault's own passphrase or recovery key opens it as its Owner</source>
            <translation>La phrase secrète du coffre ou sa clé de récupération l’ouvre en tant que propriétaire</translation>
        </message>
        <message>
            <source>Your name, as the Owner set it up</source>
            <translation>Votre nom, tel que le propriétaire l’a saisi</translation>
        </message>
        <message>
            <source>Your name</source>
            <translation>Votre nom</translation>
        </message>
        <message>
            <source>Your own passphrase</source>
            <translation>Votre propre phrase secrète</translation>
        </message>
        <message>
            <source>Your passphrase</source>
            <translation>Votre phrase secrète</translation>
        </message>
        <message>
            <source>Remember me on this computer</source>
            <translation>Se souvenir de moi sur cet ordinateur</translation>
        </message>
        <message>
            <source>Keep your own sign-in in this computer's keychain, so that next time the vault opens as you without typing. Only for a computer nobody else uses with your account.</source>
            <translation>Conserver votre connexion dans le trousseau de cet ordinateur, pour que le coffre s’ouvre la prochaine fois à votre nom sans rien saisir. Uniquement sur un ordinateur que personne d’autre n’utilise avec votre compte.</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Nom</translation>
        </message>
        <message>
            <source>Passphrase</source>
            <translation>Phrase secrète</translation>
        </message>
        <message>
            <source>Who are you?</source>
            <translation>Qui êtes-vous ?</translation>
        </message>
        <message>
            <source>Welcome back</source>
            <translation>Bon retour</translation>
        </message>
        <message>
            <source>Open as the Owner</source>
            <translation>Ouvrir en tant que propriétaire</translation>
        </message>
        <message>
            <source>Unlock your vault</source>
            <translation>Déverrouiller votre coffre</translation>
        </message>
        <message>
            <source>Owner's vault passphrase</source>
            <translation>Phrase secrète du coffre (propriétaire)</translation>
        </message>
        <message>
            <source>Sign in</source>
            <translation>Se connecter</translation>
        </message>
        <message>
            <source>Unlock</source>
            <translation>Déverrouiller</translation>
        </message>
        <message>
            <source>Sign in with your name</source>
            <translation>Se connecter avec votre nom</translation>
        </message>
        <message>
            <source>Use the Owner's vault passphrase instead</source>
            <translation>Utiliser plutôt la phrase secrète du coffre du propriétaire</translation>
        </message>
        <message>
            <source>Use passphrase instead</source>
            <translation>Utiliser plutôt la phrase secrète</translation>
        </message>
        <message>
            <source>Vault locked</source>
            <translation>Coffre verrouillé</translation>
        </message>
        <message>
            <source>Signing in…</source>
            <translation>Connexion…</translation>
        </message>
        <message>
            <source>Unlocking…</source>
            <translation>Déverrouillage…</translation>
        </message>
        <message>
            <source>Type the name you sign in with first.</source>
            <translation>Saisissez d’abord le nom avec lequel vous vous connectez.</translation>
        </message>
        <message>
            <source>Type your passphrase first.</source>
            <translation>Saisissez d’abord votre phrase secrète.</translation>
        </message>
    </context>
    <context>
        <name>_RecordEditor</name>
        <message>
            <source>Close</source>
            <extracomment>Asked before unsaved changes are thrown away; True means "discard them". The permission area of the record ("contacts" or "companies"). Why this user may not save here (None when they may): the form is read-only.</extracomment>
            <translation>Fermer</translation>
        </message>
    </context>
    <context>
        <name>screen</name>
        <message>
            <source>Signing in…</source>
            <extracomment>Asks for a vault file to open, starting in a folder; None when the person cancels. The user whose sign-in this computer remembers (vaults with sign-ins only). Said on the unlock screen when the keychain held the key last time but not now. Said when the keychain's vault key was asked for but people sign in to the vault. While a vault stays open, whether an automatic backup is due is asked this often.</extracomment>
            <translation>Connexion…</translation>
        </message>
    </context>
</TS>
