//! `[limits]`: limits that protect the server from bad or hostile clients, each declared once
//! (see `schema.rs`).

use crate::schema::{Unit, settings};

const KIB: i64 = 1024;
const MIB: i64 = 1024 * KIB;
const GIB: i64 = 1024 * MIB;

settings! {
    /// Limits that protect the server from bad or hostile clients.
    pub struct Limits in "limits" {
        /// Largest message accepted, in bytes, announced with SIZE.
        #[zh("接受的最大邮件字节数，通过 SIZE 公布。")]
        #[label("Largest message", "最大邮件")]
        #[setting(min: Some(KIB), max: Some(2 * GIB), unit: Unit::Bytes,)]
        max_message_size: u64 = 50 * 1024 * 1024,
        /// Most recipients in one message (RFC 5321 §4.5.3.1.8 asks for at least 100).
        #[zh("一封邮件最多的收件人数（RFC 5321 §4.5.3.1.8 要求至少 100）。")]
        #[label("Most recipients per message", "每封邮件最多收件人")]
        #[setting(min: Some(1),)]
        max_recipients: usize = 1000,
        /// Received headers a message may carry; one with more is in a mail loop and is
        /// refused at the end of DATA and never relayed on (RFC 5321 §6.3; Postfix's
        /// hopcount_limit is 50).
        #[zh("一封邮件最多可带的 Received 头数；超过即视为邮件环路，在 DATA 结束时拒收，也绝不转发（RFC 5321 §6.3）。")]
        #[label("Most hops (Received headers)", "最多跳数（Received 头）")]
        #[setting(min: Some(10), max: Some(1000),)]
        max_hops: usize = 100,
        /// Longest command line, in bytes; at least 512 (RFC 5321 §4.5.3.1.4).
        #[zh("命令行的最大字节数；至少 512（RFC 5321 §4.5.3.1.4）。")]
        #[label("Longest line", "最长命令行")]
        #[setting(min: Some(512), unit: Unit::Bytes, range_why: "RFC 5321 §4.5.3.1.4",)]
        max_line_length: usize = 4096,
        /// Seconds to wait for the client's next command (RFC 5321 §4.5.3.2.7).
        #[zh("等待客户端下一条命令的秒数（RFC 5321 §4.5.3.2.7）。")]
        #[label("Command timeout (seconds)", "命令超时（秒）")]
        #[setting(min: Some(1), unit: Unit::Seconds,)]
        command_timeout_secs: u64 = 300,
        /// Seconds to wait for more message data (RFC 5321 §4.5.3.2.5).
        #[zh("等待更多邮件数据的秒数（RFC 5321 §4.5.3.2.5）。")]
        #[label("Message timeout (seconds)", "邮件数据超时（秒）")]
        #[setting(min: Some(1), unit: Unit::Seconds,)]
        data_timeout_secs: u64 = 180,
        /// Errors (bad commands, failed logins, refused recipients) before the connection
        /// is closed.
        #[zh("连接被关闭前允许的错误数（错误命令、登录失败、被拒收件人）。")]
        #[label("Errors before disconnect", "断开前允许的错误数")]
        #[setting(min: Some(1),)]
        max_errors: u32 = 20,
        /// Simultaneous connections from one IP address (an office behind one NAT
        /// address shares it; as Postfix's smtpd_client_connection_count_limit).
        #[zh("来自同一 IP 地址的同时连接数（同一 NAT 地址后的办公室共用此数）。")]
        #[label("Connections per address", "每个地址的连接数")]
        #[setting(min: Some(1),)]
        max_connections_per_ip: usize = 50,
        /// Simultaneous connections in all.
        #[zh("总的同时连接数。")]
        #[label("Connections in total", "总连接数")]
        #[setting(min: Some(1),)]
        max_connections: usize = 1000,
        /// Failed logins (SMTP AUTH, POP3, IMAP) from one IP address (IPv6: one /64) within
        /// auth_lockout_secs after which that address is refused until auth_lockout_secs
        /// have passed.
        #[zh("在 auth_lockout_secs 内来自同一 IP 地址（IPv6：同一 /64）的登录失败次数，超过后该地址在 auth_lockout_secs 内被拒绝。")]
        #[label("Failed logins per address", "每个地址的登录失败次数")]
        #[setting(min: Some(1),)]
        auth_failures_per_ip: u32 = 5,
        /// Failed logins for one account within auth_lockout_secs after which the address
        /// they came from may not try it (even with the right password) until
        /// auth_lockout_secs have passed; counted from all addresses together, other
        /// addresses than those that signed in to it before must then wait between tries
        /// (1 s, 2 s, 4 s... up to auth_lockout_secs).
        #[zh("在 auth_lockout_secs 内同一账户的登录失败次数，超过后来源地址在 auth_lockout_secs 内不能再试（即使密码正确）；按所有地址合计时，此前未登录过该账户的地址每次尝试之间需等待（1 秒、2 秒、4 秒……最多 auth_lockout_secs）。")]
        #[label("Failed logins per account", "每个账户的登录失败次数")]
        #[setting(min: Some(1),)]
        auth_failures_per_account: u32 = 10,
        /// How long failed logins count, and how long a lockout lasts, in seconds.
        #[zh("登录失败的计数时长和锁定时长（秒）。")]
        #[label("Login lockout (seconds)", "登录锁定（秒）")]
        #[setting(min: Some(1), unit: Unit::Seconds,)]
        auth_lockout_secs: u64 = 900,
        /// Seconds a POP3 client may stay idle before it is disconnected (RFC 1939 §3
        /// asks for at least 600).
        #[zh("POP3 客户端空闲多少秒后断开（RFC 1939 §3 要求至少 600）。")]
        #[label("POP3 idle timeout (seconds)", "POP3 空闲超时（秒）")]
        #[setting(min: Some(1), unit: Unit::Seconds,)]
        pop3_idle_timeout_secs: u64 = 600,
        /// Bytes of messages all connections together may hold in memory while they
        /// arrive (SMTP DATA/BDAT, IMAP APPEND); past it a client is told to try again
        /// later. SMTP messages over 1 MiB are spooled to the data directory's tmp/
        /// folder, so this bounds memory, not message size (256 MiB suits a 4 GB PC).
        #[zh("所有连接接收邮件时（SMTP DATA/BDAT、IMAP APPEND）合计可占用的内存字节数；超过后客户端被告知稍后重试。超过 1 MiB 的 SMTP 邮件写入数据目录的 tmp/，所以它限制的是内存而不是邮件大小。")]
        #[label("Memory for arriving messages", "接收邮件可用内存")]
        #[setting(min: Some(MIB), unit: Unit::Bytes,)]
        memory_budget: u64 = 256 * 1024 * 1024,
        /// Seconds one whole DATA or BDAT transfer may take, even while bytes keep
        /// arriving (RFC 5321 §4.5.3.2.6); the client then gets 451 and is disconnected.
        #[zh("一次完整的 DATA 或 BDAT 传输最多可用的秒数，即使数据仍在到达（RFC 5321 §4.5.3.2.6）；超时后客户端收到 451 并被断开。")]
        #[label("Whole message transfer limit (seconds)", "整封邮件传输时限（秒）")]
        #[setting(min: Some(1), unit: Unit::Seconds,)]
        data_total_timeout_secs: u64 = 600,
        /// Seconds a sign-in to the admin panel lasts unused; a session also ends 7 days
        /// after sign-in.
        #[zh("管理面板登录在未使用时保持的秒数；登录 7 天后会话也会结束。")]
        #[label("Admin sign-in lasts unused (seconds)", "管理登录闲置有效期（秒）")]
        #[setting(min: Some(1), unit: Unit::Seconds,)]
        admin_session_idle_secs: u64 = 12 * 3600,
    }
}
