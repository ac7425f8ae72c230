//! Messages of the line itself: the DNS server, port 25, the public addresses, smart hosts.

use super::Entry;

pub(super) const TABLE: &[Entry] = &[
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
        "dns.ok",
        "The DNS server answers ({servers}).",
        "DNS 服务器正常应答（{servers}）。",
    ),
    (
        "dns.down",
        "The DNS server is not answering ({servers}): no name can be looked up, so no mail can be sent.",
        "DNS 服务器没有应答（{servers}）：无法解析任何域名，邮件无法发出。",
    ),
    (
        "dns.no_answer",
        "The DNS server did not answer the look-up of {name} in time.",
        "DNS 服务器没有及时应答 {name} 的查询。",
    ),
    (
        "skipped.dns_down",
        "Not checked: the DNS server is not answering.",
        "未检查：DNS 服务器没有应答。",
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
        "public_ip6.ok",
        "Your public IPv6 address is {ip}.",
        "您的公网 IPv6 地址是 {ip}。",
    ),
    (
        "public_ip6.none",
        "This line has no public IPv6 address. That is fine: mail works over IPv4.",
        "本线路没有公网 IPv6 地址。这没有关系：邮件通过 IPv4 正常收发。",
    ),
    (
        "public_ip6.no_endpoints",
        "No IPv6 echo service is configured, so IPv6 is not checked.",
        "未配置 IPv6 查询服务，因此不检查 IPv6。",
    ),
    (
        "skipped.no_public_ip",
        "Skipped: the public IP address is not known.",
        "已跳过：公网 IP 地址未知。",
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
