; Postroom's setup.exe, built by build.sh with makensis (NSIS 3, Unicode, MUI2):
;   makensis -DVERSION=0.1.0 -DSTAGE=DIR -DOUTFILE=OUT.exe [-DWEBVIEW2_BOOTSTRAPPER=FILE] postroom.nsi
; The same programs, shortcut, registry entries and service as the MSI (postroom.wxs). It asks
; for the language (English / Simplified Chinese). Silent: `setup.exe /S`; the uninstaller takes
; `/S` and `/REMOVEDATA=1` (without it, the mail in %ProgramData%\Postroom is kept).
Unicode true
; 64-bit installer: Postroom is x64-only, and a 64-bit setup.exe also runs under a 64-bit-only Wine.
Target amd64-unicode
SetCompressor /SOLID lzma
!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"

!ifndef VERSION
  !error "makensis -DVERSION=x.y.z"
!endif
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Postroom"
; The WebView2 Runtime's client key: present (with a version "pv") when it is installed.
!define WEBVIEW2_KEY "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "Postroom"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\Postroom"
RequestExecutionLevel admin
BrandingText "Postroom ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "Postroom"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "CompanyName" "Postroom"
VIAddVersionKey /LANG=0 "FileDescription" "Postroom setup"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "Apache-2.0"

!define MUI_ICON "${STAGE}/postroom.ico"
!define MUI_UNICON "${STAGE}/postroom.ico"
!define MUI_ABORTWARNING
!define MUI_LANGDLL_ALLLANGUAGES
!define MUI_FINISHPAGE_RUN "$INSTDIR\postroom-desktop.exe"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "${STAGE}/LICENSE.txt"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
; The uninstaller's components page carries the "remove data" box (section un.RemoveData).
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "SimpChinese"

LangString ShortcutText ${LANG_ENGLISH} "Postroom: the office mail server in the tray"
LangString ShortcutText ${LANG_SIMPCHINESE} "Postroom：托盘中的邮件服务器"
LangString ServiceText ${LANG_ENGLISH} "Registering the Postroom Mail Server service..."
LangString ServiceText ${LANG_SIMPCHINESE} "正在注册 Postroom 邮件服务器服务……"
LangString WebView2Text ${LANG_ENGLISH} "Installing the Microsoft Edge WebView2 Runtime..."
LangString WebView2Text ${LANG_SIMPCHINESE} "正在安装 Microsoft Edge WebView2 运行时……"
LangString WebView2Missing ${LANG_ENGLISH} "WebView2 is not installed: the control panel opens in your web browser."
LangString WebView2Missing ${LANG_SIMPCHINESE} "未安装 WebView2：控制面板将在网页浏览器中打开。"
LangString RemoveDataName ${LANG_ENGLISH} "Remove the mail data"
LangString RemoveDataName ${LANG_SIMPCHINESE} "删除邮件数据"
LangString RemoveDataDesc ${LANG_ENGLISH} "Also delete all mail, accounts and settings in $APPDATA\Postroom. Leave unticked to keep them."
LangString RemoveDataDesc ${LANG_SIMPCHINESE} "同时删除 $APPDATA\Postroom 中的所有邮件、账户和设置。不勾选则保留。"
LangString ProgramName ${LANG_ENGLISH} "Postroom (program files)"
LangString ProgramName ${LANG_SIMPCHINESE} "Postroom（程序文件）"

Function .onInit
  SetShellVarContext all
  SetRegView 64
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "Postroom needs 64-bit Windows."
    Abort
  ${EndIf}
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

Section "Postroom" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An upgrade: stop and unregister the running service first, so its program can be replaced.
  ; The data directory stays; `service install` below registers it again.
  ${If} ${FileExists} "$INSTDIR\postroom.exe"
    ExecWait '"$INSTDIR\postroom.exe" service uninstall'
  ${EndIf}
  File "${STAGE}/postroom.exe"
  File "${STAGE}/postroom-desktop.exe"
  File "${STAGE}/postroom-window.exe"
  File "${STAGE}/LICENSE.txt"
  File "${STAGE}/postroom.ico"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\Postroom.lnk" "$INSTDIR\postroom-desktop.exe" "" "$INSTDIR\postroom.ico" 0 \
    SW_SHOWNORMAL "" "$(ShortcutText)"

  WriteRegStr HKLM "Software\Postroom" "InstallDir" "$INSTDIR\"
  WriteRegStr HKLM "Software\Postroom" "Version" "${VERSION}"
  WriteRegStr HKLM "Software\Postroom" "DataDir" "$APPDATA\Postroom"
  ; Add/Remove Programs.
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "Postroom"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "Postroom"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\postroom.ico"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" $0

  ; The WebView2 Runtime for postroom-window.exe, when it is missing: the Evergreen bootstrapper
  ; downloads it, so it needs the internet; offline, the window opens the panel in the browser.
  ReadRegStr $0 HKLM "${WEBVIEW2_KEY}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
!ifdef WEBVIEW2_BOOTSTRAPPER
    DetailPrint "$(WebView2Text)"
    File "/oname=$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe" "${WEBVIEW2_BOOTSTRAPPER}"
    ExecWait '"$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe" /silent /install' $1
    ${If} $1 != 0
      DetailPrint "$(WebView2Missing)"
    ${EndIf}
!else
    DetailPrint "$(WebView2Missing)"
!endif
  ${EndIf}

  ; Registers and starts the "Postroom" service on %ProgramData%\Postroom, adds the firewall
  ; rules (the contract with crates/cli). A failure does not stop the installation: without a
  ; service the tray app runs the engine itself.
  DetailPrint "$(ServiceText)"
  ExecWait '"$INSTDIR\postroom.exe" service install' $0
  DetailPrint "postroom.exe service install: $0"
SectionEnd

Section "un.$(ProgramName)" SecUnMain
  SectionIn RO
  ; Stops and removes the service and its firewall rules; the data stays.
  ExecWait '"$INSTDIR\postroom.exe" service uninstall'
  Delete "$INSTDIR\postroom.exe"
  Delete "$INSTDIR\postroom-desktop.exe"
  Delete "$INSTDIR\postroom-window.exe"
  Delete "$INSTDIR\LICENSE.txt"
  Delete "$INSTDIR\postroom.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\Postroom.lnk"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DeleteRegKey HKLM "Software\Postroom"
  ; The tray app's "start at login" entry (tauri-plugin-autostart / auto-launch).
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "Postroom"
SectionEnd

; Unticked unless the user ticks it (or passes /REMOVEDATA=1): the office's mail is kept.
Section /o "un.$(RemoveDataName)" SecRemoveData
  RMDir /r "$APPDATA\Postroom"
SectionEnd

!insertmacro MUI_UNFUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecRemoveData} "$(RemoveDataDesc)"
!insertmacro MUI_UNFUNCTION_DESCRIPTION_END

; After the sections: it needs ${SecRemoveData}.
Function un.onInit
  SetShellVarContext all
  SetRegView 64
  !insertmacro MUI_UNGETLANGUAGE
  ; `uninstall.exe /S /REMOVEDATA=1`: a silent uninstall that also deletes the data.
  ${GetParameters} $0
  ${GetOptions} $0 "/REMOVEDATA=" $1
  ${If} $1 == "1"
    SectionSetFlags ${SecRemoveData} ${SF_SELECTED}
  ${EndIf}
FunctionEnd
