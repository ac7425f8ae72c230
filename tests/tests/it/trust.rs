//! Inbound trust (issue #16): the checks on mail from the Internet.

mod content;
