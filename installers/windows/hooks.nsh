; Postroom's NSIS installer hooks (bundle.windows.nsis.installerHooks).
; Postroom runs a mail server: the uninstaller also removes the "start at login" entry that
; tauri-plugin-autostart writes under the user's Run key. The data directory (mail, the
; database, postroom.toml) in %APPDATA%\postroom is kept: it is the office's mail.

!macro NSIS_HOOK_POSTUNINSTALL
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "Postroom"
!macroend
