//! Windows: ReplaceFileW with retries, the data directory's ACL through SDDL, the current
//! user's SID. Every `unsafe` block calls one documented Win32 function with buffers this
//! module owns.
#![allow(unsafe_code)]

use std::ffi::OsStr;
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

use windows_sys::Win32::Foundation::{
    CloseHandle, ERROR_ACCESS_DENIED, ERROR_FILE_NOT_FOUND, ERROR_LOCK_VIOLATION,
    ERROR_SHARING_VIOLATION, ERROR_SUCCESS, ERROR_UNABLE_TO_MOVE_REPLACEMENT,
    ERROR_UNABLE_TO_REMOVE_REPLACED, HANDLE, HLOCAL, LocalFree,
};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW,
    GetNamedSecurityInfoW, SDDL_REVISION_1, SE_FILE_OBJECT, SetNamedSecurityInfoW,
};
use windows_sys::Win32::Security::{
    ACL, DACL_SECURITY_INFORMATION, GetSecurityDescriptorControl, GetSecurityDescriptorDacl,
    GetTokenInformation, PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR,
    SE_DACL_PROTECTED, TOKEN_QUERY, TOKEN_USER, TokenUser,
};
use windows_sys::Win32::Storage::FileSystem::{
    MOVEFILE_REPLACE_EXISTING, MOVEFILE_WRITE_THROUGH, MoveFileExW,
    REPLACEFILE_IGNORE_MERGE_ERRORS, ReplaceFileW,
};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

/// LocalSystem: the account the service runs as.
const SYSTEM_SID: &str = "S-1-5-18";

/// How many times a replacement is tried while another process holds the file (a virus
/// scanner, the search indexer, a backup, an editor that opened it without sharing delete).
const ATTEMPTS: u32 = 12;

fn wide(text: &OsStr) -> Vec<u16> {
    text.encode_wide().chain(std::iter::once(0)).collect()
}

/// ReplaceFileW swaps the new content in under the old name and keeps the old file's ACL and
/// attributes; it succeeds while readers hold the file open with FILE_SHARE_DELETE (as std
/// and most programs open files), where MoveFileExW is refused. When the file does not exist
/// yet, MoveFileExW puts it in place. Sharing violations are retried with growing pauses.
pub(crate) fn replace(from: &Path, to: &Path) -> io::Result<()> {
    let (from_w, to_w) = (wide(from.as_os_str()), wide(to.as_os_str()));
    let mut pause = Duration::from_millis(10);
    let mut attempt = 0;
    loop {
        attempt += 1;
        // SAFETY: both strings are NUL-terminated and live across the call; no backup file,
        // no reserved pointers.
        let replaced = unsafe {
            ReplaceFileW(
                to_w.as_ptr(),
                from_w.as_ptr(),
                std::ptr::null(),
                REPLACEFILE_IGNORE_MERGE_ERRORS,
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        let error = if replaced != 0 {
            return Ok(());
        } else {
            io::Error::last_os_error()
        };
        let error = if error.raw_os_error() == Some(ERROR_FILE_NOT_FOUND as i32) {
            // SAFETY: as above.
            let moved = unsafe {
                MoveFileExW(
                    from_w.as_ptr(),
                    to_w.as_ptr(),
                    MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH,
                )
            };
            if moved != 0 {
                return Ok(());
            }
            io::Error::last_os_error()
        } else {
            error
        };
        let busy = [
            ERROR_SHARING_VIOLATION,
            ERROR_LOCK_VIOLATION,
            ERROR_ACCESS_DENIED,
            ERROR_UNABLE_TO_REMOVE_REPLACED,
            ERROR_UNABLE_TO_MOVE_REPLACEMENT,
        ]
        .iter()
        .any(|code| error.raw_os_error() == Some(*code as i32));
        if !busy || attempt >= ATTEMPTS {
            return Err(error);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}

/// The SID of the user this process runs as, e.g. `S-1-5-21-...-1001` (`S-1-5-18` for
/// the service).
pub fn current_user_sid() -> io::Result<String> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: the pseudo handle of this process; `token` receives a handle we close below.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let result = token_user_sid(token);
    // SAFETY: `token` was opened above and is closed once.
    unsafe { CloseHandle(token) };
    result
}

fn token_user_sid(token: HANDLE) -> io::Result<String> {
    let mut needed = 0u32;
    // SAFETY: a size query: no buffer, `needed` receives the size.
    unsafe { GetTokenInformation(token, TokenUser, std::ptr::null_mut(), 0, &mut needed) };
    // u64 elements keep the TOKEN_USER at its natural alignment.
    let mut buffer = vec![0u64; (needed as usize).div_ceil(8).max(1)];
    let size = (buffer.len() * 8) as u32;
    // SAFETY: `buffer` has `size` writable bytes.
    if unsafe {
        GetTokenInformation(
            token,
            TokenUser,
            buffer.as_mut_ptr().cast(),
            size,
            &mut needed,
        )
    } == 0
    {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: GetTokenInformation(TokenUser) filled the buffer with a TOKEN_USER whose SID
    // points into the same buffer.
    let sid = unsafe { (*buffer.as_ptr().cast::<TOKEN_USER>()).User.Sid };
    let mut text: *mut u16 = std::ptr::null_mut();
    // SAFETY: `sid` is valid while `buffer` lives; `text` receives a LocalAlloc'd string.
    if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `text` is NUL-terminated; it is freed once, after it was copied.
    let sid = unsafe {
        let len = (0..).take_while(|&i| *text.add(i) != 0).count();
        let sid = String::from_utf16_lossy(std::slice::from_raw_parts(text, len));
        LocalFree(text as HLOCAL);
        sid
    };
    Ok(sid)
}

/// Replaces `dir`'s ACL by one that is protected from the parent's (ProgramData lets every
/// user read new folders) and inherited by everything in it: full control for SYSTEM,
/// Administrators and `user_sid` (the installing user; `None` or SYSTEM adds nobody).
pub fn protect_dir(dir: &Path, user_sid: Option<&str>) -> io::Result<()> {
    // SDDL: D: a DACL, P protected, AI inheritance on; (A;OICI;FA;;;X) allows full access to
    // X, inherited by files (OI) and folders (CI).
    let mut sddl = String::from("D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)");
    if let Some(sid) = user_sid.filter(|sid| *sid != SYSTEM_SID) {
        let well_formed = sid.starts_with("S-1-")
            && sid
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'-' || b == b'S');
        if !well_formed {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not a SID: {sid:?}"),
            ));
        }
        sddl.push_str(&format!("(A;OICI;FA;;;{sid})"));
    }
    let sddl_w = wide(OsStr::new(&sddl));
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: `sddl_w` is NUL-terminated; `descriptor` receives a LocalAlloc'd descriptor.
    let parsed = unsafe {
        ConvertStringSecurityDescriptorToSecurityDescriptorW(
            sddl_w.as_ptr(),
            SDDL_REVISION_1,
            &mut descriptor,
            std::ptr::null_mut(),
        )
    };
    if parsed == 0 {
        return Err(io::Error::last_os_error());
    }
    let result = set_dacl(dir, descriptor);
    // SAFETY: allocated by the conversion above, freed once.
    unsafe { LocalFree(descriptor as HLOCAL) };
    result
}

fn set_dacl(dir: &Path, descriptor: PSECURITY_DESCRIPTOR) -> io::Result<()> {
    let (mut present, mut defaulted) = (0, 0);
    let mut dacl: *mut ACL = std::ptr::null_mut();
    // SAFETY: `descriptor` is a valid self-relative descriptor; `dacl` points into it.
    if unsafe { GetSecurityDescriptorDacl(descriptor, &mut present, &mut dacl, &mut defaulted) }
        == 0
    {
        return Err(io::Error::last_os_error());
    }
    let path = wide(dir.as_os_str());
    // SAFETY: `path` is NUL-terminated, `dacl` lives as long as `descriptor`. The function
    // also re-applies the inheritable entries to everything already in the directory.
    let status = unsafe {
        SetNamedSecurityInfoW(
            path.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            dacl,
            std::ptr::null(),
        )
    };
    if status != ERROR_SUCCESS {
        return Err(io::Error::from_raw_os_error(status as i32));
    }
    Ok(())
}

/// Whether `dir`'s ACL is already protected from its parent's.
pub(crate) fn is_protected(dir: &Path) -> io::Result<bool> {
    let path = wide(dir.as_os_str());
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: `path` is NUL-terminated; `descriptor` receives a LocalAlloc'd copy.
    let status = unsafe {
        GetNamedSecurityInfoW(
            path.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut descriptor,
        )
    };
    if status != ERROR_SUCCESS {
        return Err(io::Error::from_raw_os_error(status as i32));
    }
    let (mut control, mut revision) = (0u16, 0u32);
    // SAFETY: `descriptor` was filled above; freed once after the query.
    let ok = unsafe {
        let ok = GetSecurityDescriptorControl(descriptor, &mut control, &mut revision);
        LocalFree(descriptor as HLOCAL);
        ok
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(control & SE_DACL_PROTECTED != 0)
}

/// The engine's start: a directory nobody protected yet (a per-user engine's first start)
/// gets SYSTEM, Administrators and the current user; one protected already (by `service
/// install`, naming the installing user) is left as it is.
pub(crate) fn protect_dir_once(dir: &Path) -> io::Result<()> {
    if is_protected(dir)? {
        return Ok(());
    }
    let user = current_user_sid()?;
    protect_dir(dir, Some(&user))
}
