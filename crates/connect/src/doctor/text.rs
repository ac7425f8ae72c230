//! The doctor's messages in English and Simplified Chinese, by key; `{name}` marks a
//! parameter. The UI has the same keys; the CLI and the API's `texts` render from here.

use std::collections::BTreeMap;

/// A language messages are rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// `en` or `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// From `en`, `zh`, `zh-CN`, `zh-Hans`...
    pub fn parse(text: &str) -> Option<Lang> {
        let lower = text.to_ascii_lowercase();
        if lower == "en" || lower.starts_with("en-") {
            Some(Lang::En)
        } else if lower == "zh" || lower.starts_with("zh-") {
            Some(Lang::Zh)
        } else {
            None
        }
    }
}

/// (key, English, Simplified Chinese).
pub const TABLE: &[(&str, &str, &str)] = &[
    (
        "dns.setup",
        "DNS cannot be set up: {error}.",
        "无法设置 DNS：{error}。",
    ),
    (
        "dns.failed",
        "The DNS look-up of {name} failed.",
        "查询 {name} 的 DNS 失败。",
    ),
    (
        "fix.dns_servers",
        "Set working DNS servers under [dns] servers in the settings.",
        "请在设置的 [dns] servers 中填写可用的 DNS 服务器。",
    ),
    (
        "port25.ok",
        "Outbound port 25 works: {host} answered.",
        "出站 25 端口正常：{host} 已应答。",
    ),
    (
        "port25.not_greeted",
        "{host} accepted the connection but did not greet like a mail server.",
        "{host} 接受了连接，但没有像邮件服务器那样应答。",
    ),
    (
        "port25.blocked",
        "Cannot reach {host} on port 25: your ISP probably blocks port 25.",
        "无法连接 {host} 的 25 端口：您的宽带运营商很可能封锁了 25 端口。",
    ),
    (
        "port25.blocked_routed",
        "Port 25 seems blocked ({host}), but mail goes out through your smart host, so this is fine.",
        "25 端口似乎被封锁（{host}），但邮件通过您的转发服务器（smart host）发出，因此没有影响。",
    ),
    (
        "port25.no_target",
        "No host to test port 25 with was found.",
        "没有找到用来测试 25 端口的主机。",
    ),
    (
        "fix.smart_host",
        "Send through your ISP's smart host: enter its address, user name and password and the doctor sets it up in one click.",
        "请通过运营商的转发服务器（smart host）发信：填写其地址、用户名和密码，一键即可设置。",
    ),
    (
        "public_ip.ok",
        "Your public IP address is {ip}.",
        "您的公网 IP 地址是 {ip}。",
    ),
    (
        "public_ip.failed",
        "Your public IP address could not be found.",
        "无法获取您的公网 IP 地址。",
    ),
    (
        "public_ip.no_endpoints",
        "No IP-echo service is configured, so the public address is not checked.",
        "未配置 IP 查询服务，因此不检查公网地址。",
    ),
    (
        "fix.public_ip",
        "Check the Internet connection, or set other services under [ddns] ipv4_endpoints.",
        "请检查网络连接，或在 [ddns] ipv4_endpoints 中填写其他查询服务。",
    ),
    (
        "skipped.no_public_ip",
        "Skipped: the public IP address is not known.",
        "已跳过：公网 IP 地址未知。",
    ),
    (
        "ptr.ok",
        "The reverse DNS (PTR) of {ip} is {hostname}, and it points back.",
        "{ip} 的反向解析（PTR）是 {hostname}，且正向解析一致。",
    ),
    (
        "ptr.missing",
        "{ip} has no reverse DNS (PTR) name: many servers will refuse your mail.",
        "{ip} 没有反向解析（PTR）记录：很多邮件服务器会拒收您的邮件。",
    ),
    (
        "ptr.mismatch",
        "The reverse DNS (PTR) of {ip} is {ptr}, not {hostname}.",
        "{ip} 的反向解析（PTR）是 {ptr}，而不是 {hostname}。",
    ),
    (
        "ptr.not_confirmed",
        "The reverse DNS (PTR) of {ip} is {hostname}, but {hostname} does not point back to {ip}.",
        "{ip} 的反向解析（PTR）是 {hostname}，但 {hostname} 没有解析回 {ip}。",
    ),
    (
        "fix.ptr",
        "Ask your ISP to set the reverse DNS (PTR) of {ip} to {hostname}.",
        "请联系宽带运营商，把 {ip} 的反向解析（PTR）设置为 {hostname}。",
    ),
    (
        "hostname.ok",
        "{name} points at {ip}.",
        "{name} 已解析到 {ip}。",
    ),
    (
        "hostname.elsewhere",
        "{name} does not point at your public address {ip}.",
        "{name} 没有解析到您的公网地址 {ip}。",
    ),
    (
        "fix.a_record",
        "At your DNS provider, set the A record of {name} to {ip} (or turn on dynamic DNS).",
        "请在域名解析服务商处把 {name} 的 A 记录设为 {ip}（或开启动态域名解析）。",
    ),
    (
        "mx.ok",
        "Mail for {domain} comes to this server ({ip}).",
        "{domain} 的邮件会送到本服务器（{ip}）。",
    ),
    (
        "mx.elsewhere",
        "The MX records of {domain} do not point at this server ({ip}).",
        "{domain} 的 MX 记录没有指向本服务器（{ip}）。",
    ),
    (
        "mx.none",
        "{domain} has no usable MX record.",
        "{domain} 没有可用的 MX 记录。",
    ),
    (
        "fix.mx",
        "At your DNS provider, make the MX record of {domain} name a host whose A record is {ip}.",
        "请在域名解析服务商处为 {domain} 设置 MX 记录，指向 A 记录为 {ip} 的主机。",
    ),
    (
        "blocklist.ok",
        "{ip} is on none of the checked blocklists.",
        "{ip} 不在所检查的黑名单中。",
    ),
    (
        "blocklist.listed",
        "{ip} is listed on: {zones}. Mail from it may be refused.",
        "{ip} 被列入黑名单：{zones}。从该地址发出的邮件可能被拒收。",
    ),
    (
        "blocklist.unknown",
        "Some blocklists could not be checked: {zones}.",
        "部分黑名单无法查询：{zones}。",
    ),
    (
        "blocklist.none",
        "No blocklists are configured.",
        "未配置黑名单。",
    ),
    (
        "fix.blocklist",
        "Dynamic home and office addresses are often listed: send through your ISP's smart host, or ask for removal at {zones}.",
        "动态宽带地址常被列入黑名单：请通过运营商的转发服务器发信，或向 {zones} 申请移除。",
    ),
    (
        "smart_host.none",
        "No smart host is configured: mail goes straight to the recipients' servers.",
        "未配置转发服务器：邮件直接发往收件方服务器。",
    ),
    (
        "smart_host.ok",
        "The smart host {relay} works (TLS: {tls}).",
        "转发服务器 {relay} 正常（TLS：{tls}）。",
    ),
    (
        "smart_host.ok_auth",
        "The smart host {relay} works and accepted the login (TLS: {tls}).",
        "转发服务器 {relay} 正常，登录成功（TLS：{tls}）。",
    ),
    (
        "smart_host.unreachable",
        "The smart host {relay} cannot be reached.",
        "无法连接转发服务器 {relay}。",
    ),
    (
        "smart_host.tls_failed",
        "The secure connection (TLS) to the smart host {relay} failed.",
        "与转发服务器 {relay} 的加密连接（TLS）失败。",
    ),
    (
        "smart_host.auth_failed",
        "The smart host {relay} refused the user name or password.",
        "转发服务器 {relay} 拒绝了用户名或密码。",
    ),
    (
        "fix.smart_host_address",
        "Check the smart host's address and port (often 587, or 465 with implicit TLS).",
        "请检查转发服务器的地址和端口（通常为 587，或使用 SSL 的 465）。",
    ),
    (
        "fix.smart_host_tls",
        "Check the TLS setting (starttls for port 587, implicit for 465) and the certificate.",
        "请检查 TLS 设置（587 端口用 starttls，465 端口用 implicit）以及证书。",
    ),
    (
        "fix.smart_host_password",
        "Enter the user name and password your ISP gave you for sending mail.",
        "请填写运营商提供的发信用户名和密码。",
    ),
];

/// `key`'s text in `lang` with `{name}` parameters filled in; an unknown key is returned
/// as it is.
pub fn render(key: &str, params: &BTreeMap<String, String>, lang: Lang) -> String {
    let Some((_, en, zh)) = TABLE.iter().find(|(k, _, _)| *k == key) else {
        return key.to_string();
    };
    let mut text = match lang {
        Lang::En => en.to_string(),
        Lang::Zh => zh.to_string(),
    };
    for (name, value) in params {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_texts_have_the_same_parameters() {
        let params = |text: &str| {
            let mut names: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
                .collect();
            names.sort();
            names.dedup();
            names
        };
        for (i, (key, en, zh)) in TABLE.iter().enumerate() {
            assert!(
                TABLE[i + 1..].iter().all(|(k, _, _)| k != key),
                "{key} twice"
            );
            assert_eq!(params(en), params(zh), "{key}");
        }
    }

    #[test]
    fn every_key_the_checks_use_has_texts() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("port25.rs"),
            include_str!("dns.rs"),
            include_str!("smarthost.rs"),
        ];
        let mut used = 0;
        for source in sources {
            for literal in source.split('"').skip(1).step_by(2) {
                let looks_like_key = literal.split_once('.').is_some_and(|(a, b)| {
                    a.starts_with(|c: char| c.is_ascii_lowercase())
                        && !b.is_empty()
                        && literal.bytes().all(|c| {
                            c.is_ascii_lowercase() || c == b'_' || c == b'.' || c.is_ascii_digit()
                        })
                        && !literal.ends_with(".rs")
                });
                if looks_like_key && !literal.contains("in-addr") {
                    used += 1;
                    assert!(
                        TABLE.iter().any(|(k, _, _)| *k == literal),
                        "no text for {literal}"
                    );
                }
            }
        }
        assert!(used > 30, "{used} keys found");
    }

    #[test]
    fn parameters_are_filled_in_in_each_language() {
        let params = BTreeMap::from([("ip".to_string(), "81.2.69.160".to_string())]);
        assert_eq!(
            render("public_ip.ok", &params, Lang::En),
            "Your public IP address is 81.2.69.160."
        );
        assert_eq!(
            render("public_ip.ok", &params, Lang::Zh),
            "您的公网 IP 地址是 81.2.69.160。"
        );
        assert_eq!(render("no.such.key", &params, Lang::En), "no.such.key");
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
    }
}
