//! The one Winsock call the standard library and socket2 do not offer.
#![allow(unsafe_code)]

use std::io;
use std::os::windows::io::AsRawSocket;

use tokio::net::TcpStream;
use windows_sys::Win32::Networking::WinSock::{
    SIO_TCP_SET_ACK_FREQUENCY, SOCKET, SOCKET_ERROR, TCP_ACK_FREQUENCY_PARAMETERS, WSAGetLastError,
    WSAIoctl,
};

/// `SIO_TCP_SET_ACK_FREQUENCY` with a frequency of 1: this socket acknowledges every segment
/// at once instead of every second one or after the 200 ms delayed-ACK timer (Windows' own
/// answer to Linux's TCP_QUICKACK; see [`crate::SessionStream::ack_promptly`]).
pub(crate) fn ack_every_segment(tcp: &TcpStream) -> io::Result<()> {
    let params = TCP_ACK_FREQUENCY_PARAMETERS {
        TcpDelayedAckFrequency: 1,
    };
    let mut returned = 0u32;
    // SAFETY: `params` outlives the synchronous call (no OVERLAPPED), its size is passed,
    // no output buffer is given, and the socket is open while `tcp` is borrowed.
    let rc = unsafe {
        WSAIoctl(
            tcp.as_raw_socket() as SOCKET,
            SIO_TCP_SET_ACK_FREQUENCY,
            std::ptr::from_ref(&params).cast(),
            size_of::<TCP_ACK_FREQUENCY_PARAMETERS>() as u32,
            std::ptr::null_mut(),
            0,
            &mut returned,
            std::ptr::null_mut(),
            None,
        )
    };
    if rc == SOCKET_ERROR {
        // SAFETY: reads the calling thread's last Winsock error; no arguments.
        return Err(io::Error::from_raw_os_error(unsafe { WSAGetLastError() }));
    }
    Ok(())
}
