//! Inbound SMTP (placeholder until the session lands).
