//! `[filter]`: the checks on mail from the Internet (issue #16): sender authentication (SPF,
//! DKIM, ARC, DMARC), connection-time defences (blocklists, greylisting, reverse DNS), the
//! content filter and its thresholds, and the optional outside scanners. Declared once (see
//! `schema.rs`). Sessions that authenticated and clients in `[relay] networks` skip them all.

use crate::schema::{Unit, settings};

settings! {
    /// The checks on mail from the Internet; logged-in users and `[relay] networks` skip them.
    pub struct Filter in "filter" {
        /// Check the sender's SPF record (RFC 7208) at MAIL FROM.
        #[zh("在 MAIL FROM 时检查发件人的 SPF 记录（RFC 7208）。")]
        #[label("SPF", "SPF")]
        #[setting()]
        spf: bool = true,
        /// Verify DKIM signatures (RFC 6376).
        #[zh("验证 DKIM 签名（RFC 6376）。")]
        #[label("DKIM", "DKIM")]
        #[setting()]
        dkim: bool = true,
        /// Verify ARC seals of forwarded mail (RFC 8617).
        #[zh("验证转发邮件的 ARC 封印（RFC 8617）。")]
        #[label("ARC", "ARC")]
        #[setting()]
        arc: bool = true,
        /// Apply the sender domain's DMARC policy (RFC 7489): reject refuses at the end of
        /// DATA, quarantine delivers to Junk.
        #[zh("执行发件域的 DMARC 策略（RFC 7489）：reject 在 DATA 结束时拒收，quarantine 投递到垃圾邮件。")]
        #[label("DMARC", "DMARC")]
        #[setting()]
        dmarc: bool = true,
        /// Refuse mail from outside that claims one of our own domains as its author but
        /// passes neither SPF nor DKIM (the fake "boss" mail to accounting).
        #[zh("拒收来自外部、冒用本服务器域名作为发件人且 SPF 和 DKIM 均未通过的邮件（冒充老板给财务的假邮件）。")]
        #[label("Refuse spoofs of our domains", "拒收冒充本域的邮件")]
        #[setting()]
        anti_spoofing: bool = true,
        /// Score messages with the content rules and the Bayesian classifier that learns
        /// from what users move into and out of Junk.
        #[zh("用内容规则和贝叶斯分类器为邮件打分；分类器从用户移入、移出垃圾邮件文件夹的邮件中学习。")]
        #[label("Content filter", "内容过滤")]
        #[setting()]
        content: bool = true,
        /// Score at or above which a message goes to the recipient's Junk folder.
        #[zh("达到或超过此分数的邮件投递到收件人的垃圾邮件文件夹。")]
        #[label("Junk score", "垃圾邮件分数")]
        #[setting(min: Some(1), max: Some(1000),)]
        junk_score: u32 = 5,
        /// Score at or above which a message is refused at the end of DATA (never accepted
        /// and then bounced).
        #[zh("达到或超过此分数的邮件在 DATA 结束时拒收（绝不先接收再退信）。")]
        #[label("Reject score", "拒收分数")]
        #[setting(min: Some(1), max: Some(1000),)]
        reject_score: u32 = 15,
        /// Milliseconds all DNS work for one message may take in total (lookups run at the
        /// same time); a check that runs out of time never refuses or defers mail.
        #[zh("一封邮件的全部 DNS 查询合计可用的毫秒数（查询同时进行）；超时的检查绝不会导致拒收或延迟。")]
        #[label("DNS time per message (ms)", "每封邮件 DNS 时间（毫秒）")]
        #[setting(min: Some(100), max: Some(30000),)]
        dns_budget_ms: u64 = 2000,
        /// Messages larger than this are checked on their header only (body rules, the
        /// classifier and outside scanners skip them), like other filters' size limits.
        #[zh("大于此大小的邮件只检查邮件头（正文规则、分类器和外部扫描跳过），与其他过滤器的大小上限相同。")]
        #[label("Largest message scanned", "扫描的最大邮件")]
        #[setting(min: Some(64 * 1024), max: Some(64 * 1024 * 1024), unit: Unit::Bytes,)]
        max_scan_size: u64 = 1024 * 1024,
        // --- trustcontent
        /// Score with the Bayesian classifiers (one per account, one shared per domain) that
        /// learn from what users move into and out of Junk.
        #[zh("用贝叶斯分类器打分（每个账户一个，每个域共享一个），分类器从用户移入、移出垃圾邮件文件夹的邮件中学习。")]
        #[label("Bayesian classifier", "贝叶斯分类器")]
        #[setting()]
        bayes: bool = true,
        /// How many spam and how many ham messages a classifier must have learned before its
        /// score counts (a classifier trained on a few messages guesses).
        #[zh("分类器至少学习了多少封垃圾邮件和多少封正常邮件后，其分数才计入（只学过几封邮件的分类器只是猜测）。")]
        #[label("Messages to learn before scoring", "开始打分前需学习的邮件数")]
        #[setting(min: Some(1), max: Some(100000),)]
        bayes_min_messages: u32 = 10,
        /// Refuse mail from a blocked sender at the end of DATA (550) instead of delivering
        /// it to Junk. Either way nothing is bounced.
        #[zh("在 DATA 结束时拒收被屏蔽发件人的邮件（550），而不是投递到垃圾邮件文件夹。两种方式都不会退信。")]
        #[label("Refuse blocked senders", "拒收被屏蔽的发件人")]
        #[setting()]
        block_rejects: bool = false,
        // --- trustgate
        /// DNS blocklists and allowlists (RFC 5782) the client's address is looked up in, as
        /// `zone=weight`: a listing adds the weight to the score (negative for allowlists).
        /// The defaults permit free low-volume use; remove a zone to stop asking it. A
        /// 127.255.255.x answer is the list refusing the query (Spamhaus through a public
        /// resolver), not a listing.
        #[zh("查询客户端地址的 DNS 黑名单和白名单（RFC 5782），格式为 `区域=权重`：被列入时把权重加到分数上（白名单为负数）。默认的区域允许免费的小流量使用；删除某个区域即不再查询。127.255.255.x 的回答表示名单拒绝查询（通过公共解析器查询 Spamhaus 时），并非列入。")]
        #[label("DNS blocklists", "DNS 黑名单")]
        #[setting()]
        blocklists: Vec<String> = vec![
            "zen.spamhaus.org=6".to_string(),
            "bl.spamcop.net=4".to_string(),
            "list.dnswl.org=-3".to_string(),
        ],
        /// Also check mail from clients at loopback, private and link-local addresses (all
        /// the checks of this section). Off: they are the office's own network (a
        /// scan-to-mail copier sends as the office's domain without SPF or DKIM, and public
        /// lists never list such addresses). Turn it on when the server sees every client
        /// at such an address (behind a proxy that hides the sender's address).
        #[zh("也检查来自环回、私有和链路本地地址的客户端的邮件（本节的全部检查）。关闭时不检查：这些是办公室自己的网络（扫描到邮件的复印机以办公室域名发信，没有 SPF 或 DKIM；公共名单也从不列入这些地址）。若服务器看到的所有客户端都是此类地址（位于隐藏发件人地址的代理之后），请打开。")]
        #[label("Check local clients", "检查本地客户端")]
        #[setting()]
        check_local_clients: bool = false,
        /// Greylisting (RFC 6647): the first message of an unknown client network, sender
        /// and recipient is refused for now (451 4.7.1); real servers retry and pass. Off by
        /// default: a new customer's first mail would wait minutes.
        #[zh("灰名单（RFC 6647）：未知的客户端网络、发件人和收件人组合的第一封邮件暂时拒收（451 4.7.1）；正规服务器会重试并通过。默认关闭：新客户的第一封邮件会等待数分钟。")]
        #[label("Greylisting", "灰名单")]
        #[setting()]
        greylisting: bool = false,
        /// Seconds a greylisted sender must wait before its retry passes.
        #[zh("被灰名单拦截的发件人重试前必须等待的秒数。")]
        #[label("Greylisting delay (s)", "灰名单延迟（秒）")]
        #[setting(min: Some(1), max: Some(86400), unit: Unit::Seconds,)]
        greylist_delay_secs: u64 = 300,
        /// Days a triplet, and a client network that passed, are remembered after they were
        /// last seen.
        #[zh("三元组以及已通过的客户端网络在最后一次出现后保留的天数。")]
        #[label("Greylisting memory (days)", "灰名单保留（天）")]
        #[setting(min: Some(1), max: Some(3650),)]
        greylist_keep_days: u64 = 36,
        /// clamd to scan every message with (its INSTREAM command): `127.0.0.1:3310`, or a
        /// Unix socket path such as `/run/clamav/clamd.ctl`. Empty: no virus scanning. A
        /// virus is refused with 554 5.7.1.
        #[zh("用于扫描每封邮件的 clamd（INSTREAM 命令）：`127.0.0.1:3310`，或 Unix 套接字路径，如 `/run/clamav/clamd.ctl`。留空则不扫描病毒。含病毒的邮件以 554 5.7.1 拒收。")]
        #[label("clamd address", "clamd 地址")]
        #[setting()]
        clamd: String = String::new(),
        /// What happens while clamd cannot be reached: `tempfail` (451 4.7.1, the sender
        /// retries later) or `accept` (delivered, marked CLAMD_DOWN in X-Spam-Status).
        #[zh("clamd 无法连接时的处理：`tempfail`（451 4.7.1，发件方稍后重试）或 `accept`（照常投递，在 X-Spam-Status 中标记 CLAMD_DOWN）。")]
        #[label("When clamd is down", "clamd 不可用时")]
        #[setting()]
        clamd_down: String = "tempfail".to_string(),
    }
}
