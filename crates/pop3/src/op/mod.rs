//! One file per POP3 command (or small family of commands); each adds `handle_<command>` to
//! the session.

mod auth;
mod capa;
mod dele;
mod list;
mod login;
mod quit;
mod retr;
mod stls;
mod user;
