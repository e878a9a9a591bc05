; Inno Setup 6 script: a per-user installer for Crasme Desktop (no administrator rights).
; Built on Windows after the PyInstaller build (installers\windows\crasme.spec):
;   iscc /DAppVersion=0.1.0 installers\windows\crasme.iss
; (the workflow passes the version from crasme_desktop.__version__). Output:
;   build\windows\Crasme-Desktop-<version>-setup.exe
; Every directive was checked against https://jrsoftware.org/ishelp/ (installers/README.md).

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z installers\windows\crasme.iss
#endif
#define AppName "Crasme Desktop"
#define AppId "crasme-desktop"
#define ProgId "CrasmeDesktop.Vault"
#define Dist "..\..\build\windows\dist\crasme"

[Setup]
; A fixed AppId: upgrades replace the same installation. Braces are doubled in AppId.
AppId={{8C1B6F0E-5D3A-4B5E-9F1A-C7A5E2D4B901}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The Crasme Desktop developers
AppCopyright=Copyright (C) 2026 the Crasme Desktop developers
; Per user, never elevated: files under %LOCALAPPDATA%\Programs, registry under HKCU.
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; The .crasme association is written below; tell Explorer to refresh its icons.
ChangesAssociations=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
LicenseFile=..\..\LICENSE
SetupIconFile=..\..\build\windows\crasme.ico
UninstallDisplayIcon={app}\crasme-gui.exe
UninstallDisplayName={#AppName}
OutputDir=..\..\build\windows
OutputBaseFilename=Crasme-Desktop-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; The program may be open while upgrading; close it first (it locks its vault safely).
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Dist}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; {autoprograms} and {autodesktop} are the user's own Start menu and desktop here.
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\crasme-gui.exe"; AppUserModelID: "org.crasme.desktop"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\crasme-gui.exe"; AppUserModelID: "org.crasme.desktop"; Tasks: desktopicon

[Registry]
; HKA is HKCU in a non-administrative install: Software\Classes of this user only.
Root: HKA; Subkey: "Software\Classes\.crasme"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.crasme"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-crasme-vault"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.crasme\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "{#AppName} vault"; Flags: uninsdeletekey
; The same AppUserModelID as the shortcut and the running program: Microsoft's AppUserModelID
; and ProgID pages ask for it on the file type's ProgID too (else opened vaults are left out
; of the taskbar's jump list).
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: "AppUserModelID"; ValueData: "org.crasme.desktop"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\crasme-gui.exe,0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\crasme-gui.exe"" gui ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\crasme-gui.exe\SupportedTypes"; ValueType: string; ValueName: ".crasme"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\crasme-gui.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
{ Uninstalling removes the program only. The vaults, backups, settings and logs in
  %LOCALAPPDATA%\crasme-desktop stay unless the person says Yes here; the default
  button is No, and a silent uninstall (/SUPPRESSMSGBOXES) keeps them too. }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\crasme-desktop');
    if DirExists(DataDir) then
      if SuppressibleMsgBox('Also delete your Crasme Desktop data?' + #13#10#13#10 +
          'This deletes every vault, backup, setting and log in' + #13#10 + DataDir + #13#10 +
          'and cannot be undone. Choose No to keep them (you can install the program again ' +
          'and find everything as it was).', mbConfirmation, MB_YESNO or MB_DEFBUTTON2,
          IDNO) = IDYES then
        DelTree(DataDir, True, True, True);
  end;
end;
