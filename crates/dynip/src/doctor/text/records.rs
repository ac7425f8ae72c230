//! Messages of the public addresses in the DNS: PTR, host name, MX, blocklists.

use super::Entry;

pub(super) const TABLE: &[Entry] = &[
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
        "ptr6.missing",
        "{ip} has no reverse DNS (PTR) name. Postroom sends over IPv4 first, but mail sent over IPv6 may be refused.",
        "{ip} 没有反向解析（PTR）记录。Postroom 优先通过 IPv4 发信，但通过 IPv6 发出的邮件可能被拒收。",
    ),
    (
        "fix.aaaa_record",
        "At your DNS provider, set the AAAA record of {name} to {ip} (or turn on dynamic DNS for IPv6).",
        "请在域名解析服务商处把 {name} 的 AAAA 记录设为 {ip}（或为 IPv6 开启动态域名解析）。",
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
        "mx6.ok",
        "Mail for {domain} sent over IPv6 comes to this server ({ip}).",
        "通过 IPv6 发往 {domain} 的邮件会送到本服务器（{ip}）。",
    ),
    (
        "mx6.no_aaaa",
        "The MX hosts of {domain} have no IPv6 address: its mail comes over IPv4, which is fine.",
        "{domain} 的 MX 主机没有 IPv6 地址：邮件通过 IPv4 送达，这没有关系。",
    ),
    (
        "mx6.elsewhere",
        "The MX hosts of {domain} have IPv6 addresses ({addresses}) that are not this server ({ip}): senders that use IPv6 may not reach you.",
        "{domain} 的 MX 主机的 IPv6 地址（{addresses}）不是本服务器（{ip}）：通过 IPv6 发信的服务器可能无法送达。",
    ),
    (
        "mx6.no_ipv6_here",
        "The MX hosts of {domain} have IPv6 addresses ({addresses}), but this line has no IPv6: senders that use IPv6 may not reach you.",
        "{domain} 的 MX 主机有 IPv6 地址（{addresses}），但本线路没有 IPv6：通过 IPv6 发信的服务器可能无法送达。",
    ),
    (
        "fix.mx6",
        "At your DNS provider, set the AAAA record of {hosts} to {ip}, or delete it.",
        "请在域名解析服务商处把 {hosts} 的 AAAA 记录设为 {ip}，或将其删除。",
    ),
    (
        "fix.mx6_remove",
        "At your DNS provider, delete the AAAA record of {hosts}.",
        "请在域名解析服务商处删除 {hosts} 的 AAAA 记录。",
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
        "blocklist6.listed",
        "{ip} is listed on: {zones}. Postroom sends over IPv4 first, but mail sent over IPv6 may be refused.",
        "{ip} 被列入黑名单：{zones}。Postroom 优先通过 IPv4 发信，但通过 IPv6 发出的邮件可能被拒收。",
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
];
