//! Windows: ERROR log events of the service also go to the Windows Event Log (Application,
//! source "Postroom"), where administrators and monitoring tools look first. The source is
//! registered by `service install` with .NET's EventLogMessages.dll as its message file,
//! whose every event id reads "%1": the event shows our text as it is.
#![allow(unsafe_code)]

use std::fmt::Write;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::System::EventLog::{
    DeregisterEventSource, EVENTLOG_ERROR_TYPE, RegisterEventSourceW, ReportEventW,
};

/// The event source's name (also the service's).
pub const SOURCE: &str = "Postroom";
/// The registry key `service install` writes and `service uninstall` removes.
pub const SOURCE_KEY: &str =
    r"HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\Postroom";
/// Its message file: present wherever .NET Framework 4 is (every Windows 10 and 11).
pub const MESSAGE_FILE: &str =
    r"%SystemRoot%\Microsoft.NET\Framework64\v4.0.30319\EventLogMessages.dll";
/// The event id of every event we write.
const EVENT_ID: u32 = 1000;

/// The event log handle, registered once.
pub struct EventLog {
    /// A HANDLE kept as an integer: the handle may be used from any thread (ReportEventW is
    /// thread-safe), which a raw pointer would not let the type say.
    handle: usize,
}

/// The layer, or `None` (logged to the file) when the source cannot be opened.
pub fn layer() -> Option<EventLog> {
    let name: Vec<u16> = SOURCE.encode_utf16().chain(std::iter::once(0)).collect();
    // SAFETY: `name` is NUL-terminated; a null server name is the local computer.
    let handle = unsafe { RegisterEventSourceW(std::ptr::null(), name.as_ptr()) };
    if handle.is_null() {
        tracing::warn!(
            error = %std::io::Error::last_os_error(),
            "cannot write to the Windows Event Log"
        );
        return None;
    }
    Some(EventLog {
        handle: handle as usize,
    })
}

impl EventLog {
    fn report(&self, text: &str) {
        let wide: Vec<u16> = text.encode_utf16().chain(std::iter::once(0)).collect();
        let strings = [wide.as_ptr()];
        // SAFETY: one NUL-terminated string that lives across the call; no raw data, no SID.
        unsafe {
            ReportEventW(
                self.handle as HANDLE,
                EVENTLOG_ERROR_TYPE,
                0,
                EVENT_ID,
                std::ptr::null_mut(),
                1,
                0,
                strings.as_ptr(),
                std::ptr::null(),
            );
        }
    }
}

impl Drop for EventLog {
    fn drop(&mut self) {
        // SAFETY: registered in `layer`, deregistered once.
        unsafe { DeregisterEventSource(self.handle as HANDLE) };
    }
}

/// The message and its fields as one line: `message (key=value, ...)`.
#[derive(Default)]
struct Text {
    message: String,
    fields: String,
}

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let sep = if self.fields.is_empty() { "" } else { ", " };
            let _ = write!(self.fields, "{sep}{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.record_debug(field, &value);
        }
    }
}

impl<S: Subscriber> Layer<S> for EventLog {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if *event.metadata().level() != Level::ERROR {
            return;
        }
        let mut text = Text::default();
        event.record(&mut text);
        let mut line = text.message;
        if !text.fields.is_empty() {
            let _ = write!(line, " ({})", text.fields);
        }
        self.report(&line);
    }
}
