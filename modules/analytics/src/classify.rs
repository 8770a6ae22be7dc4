//! User agents and referrers: which requests are bots, the device and browser family, and
//! where a visit came from. Codes are stored and carried; labels are what people read.

/// Where a visit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceClass {
    /// 直接访问: no referrer (typed, bookmarked, from an app).
    Direct,
    /// 搜索引擎: Baidu, Sogou, 360, Bing, Google, Shenma …
    SearchEngine,
    /// 政府网站: another government site (*.gov.cn and the platform's sites).
    Government,
    /// 社交媒体: Weibo, WeChat, Zhihu, Douyin, Toutiao …
    Social,
    /// 其他网站: any other referring site.
    Other,
}

impl SourceClass {
    /// Every class, in report order.
    pub const ALL: [SourceClass; 5] = [
        SourceClass::Direct,
        SourceClass::SearchEngine,
        SourceClass::Government,
        SourceClass::Social,
        SourceClass::Other,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            SourceClass::Direct => "direct",
            SourceClass::SearchEngine => "search",
            SourceClass::Government => "gov",
            SourceClass::Social => "social",
            SourceClass::Other => "other",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            SourceClass::Direct => "直接访问",
            SourceClass::SearchEngine => "搜索引擎",
            SourceClass::Government => "政府网站",
            SourceClass::Social => "社交媒体",
            SourceClass::Other => "其他网站",
        }
    }

    /// The class of a stored code.
    pub fn parse(code: &str) -> Option<SourceClass> {
        SourceClass::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// A device family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Device {
    /// 电脑.
    Desktop,
    /// 手机.
    Mobile,
    /// 平板.
    Tablet,
}

impl Device {
    /// Every family, in report order.
    pub const ALL: [Device; 3] = [Device::Desktop, Device::Mobile, Device::Tablet];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Device::Desktop => "desktop",
            Device::Mobile => "mobile",
            Device::Tablet => "tablet",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Device::Desktop => "电脑",
            Device::Mobile => "手机",
            Device::Tablet => "平板",
        }
    }

    /// The family of a stored code.
    pub fn parse(code: &str) -> Option<Device> {
        Device::ALL.into_iter().find(|d| d.code() == code)
    }
}

/// A browser family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Browser {
    /// WeChat's built-in browser.
    WeChat,
    /// QQ浏览器 (and QQ's built-in one).
    Qq,
    /// UC浏览器.
    Uc,
    /// 360浏览器.
    Qihoo,
    /// 搜狗浏览器.
    Sogou,
    /// Microsoft Edge.
    Edge,
    /// Opera.
    Opera,
    /// Firefox.
    Firefox,
    /// Chrome (and Chromium-based browsers not named above).
    Chrome,
    /// Safari.
    Safari,
    /// Internet Explorer.
    InternetExplorer,
    /// Any other.
    Other,
}

impl Browser {
    /// Every family, in report order.
    pub const ALL: [Browser; 12] = [
        Browser::Chrome,
        Browser::Safari,
        Browser::Edge,
        Browser::Firefox,
        Browser::WeChat,
        Browser::Qq,
        Browser::Uc,
        Browser::Qihoo,
        Browser::Sogou,
        Browser::Opera,
        Browser::InternetExplorer,
        Browser::Other,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Browser::WeChat => "wechat",
            Browser::Qq => "qq",
            Browser::Uc => "uc",
            Browser::Qihoo => "360",
            Browser::Sogou => "sogou",
            Browser::Edge => "edge",
            Browser::Opera => "opera",
            Browser::Firefox => "firefox",
            Browser::Chrome => "chrome",
            Browser::Safari => "safari",
            Browser::InternetExplorer => "ie",
            Browser::Other => "other",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Browser::WeChat => "微信",
            Browser::Qq => "QQ浏览器",
            Browser::Uc => "UC浏览器",
            Browser::Qihoo => "360浏览器",
            Browser::Sogou => "搜狗浏览器",
            Browser::Edge => "Edge",
            Browser::Opera => "Opera",
            Browser::Firefox => "Firefox",
            Browser::Chrome => "Chrome",
            Browser::Safari => "Safari",
            Browser::InternetExplorer => "IE",
            Browser::Other => "其他",
        }
    }

    /// The family of a stored code.
    pub fn parse(code: &str) -> Option<Browser> {
        Browser::ALL.into_iter().find(|b| b.code() == code)
    }
}

/// What a user agent says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agent {
    /// A crawler, a script or a monitor (not counted as a visit).
    pub bot: bool,
    /// The device family.
    pub device: Device,
    /// The browser family.
    pub browser: Browser,
}

/// Where a visit came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    /// The class.
    pub class: SourceClass,
    /// The search engine's name (百度, 搜狗, 360搜索, 必应, 谷歌, 神马 …) for
    /// [`SourceClass::SearchEngine`].
    pub engine: Option<&'static str>,
    /// The referring host (lowercase, no port), except for direct visits.
    pub host: Option<String>,
}

/// Words of a user agent that mark a crawler, a script, a monitor or a preview fetcher
/// (lowercase; matched ignoring ASCII case).
const BOT_WORDS: [&str; 40] = [
    "bot",
    "spider",
    "crawl",
    "slurp",
    "curl",
    "wget",
    "python",
    "go-http-client",
    "java",
    "okhttp",
    "httpclient",
    "http_request",
    "headless",
    "phantomjs",
    "selenium",
    "puppeteer",
    "playwright",
    "scrapy",
    "libwww",
    "axios",
    "node-fetch",
    "monitor",
    "uptime",
    "pingdom",
    "nagios",
    "govnode",
    "lighthouse",
    "pagespeed",
    "preview",
    "facebookexternalhit",
    "feedfetcher",
    "archiver",
    "scanner",
    "zgrab",
    "masscan",
    "nmap",
    "validator",
    "checker",
    "wordpress",
    "dataprovider",
];

/// Classifies a user agent: a bot when it is missing, does not start as browsers' agents
/// do ("Mozilla/", "Opera"), or names a crawler, script or monitor ([`BOT_WORDS`]).
pub fn classify_agent(user_agent: Option<&str>) -> Agent {
    let ua = user_agent.map(str::trim).unwrap_or_default();
    Agent {
        bot: is_bot(ua),
        device: device(ua),
        browser: browser(ua),
    }
}

/// Agents are compared lowercased in a buffer on the stack, up to this many bytes.
const AGENT_BYTES: usize = 512;

/// Whether a (trimmed) user agent is a bot's, without allocating.
pub(crate) fn is_bot(ua: &str) -> bool {
    if !(ua.starts_with("Mozilla/") || ua.starts_with("Opera")) {
        return true;
    }
    let mut buffer = [0u8; AGENT_BYTES];
    let head = &ua.as_bytes()[..ua.len().min(AGENT_BYTES)];
    let lower = &mut buffer[..head.len()];
    lower.copy_from_slice(head);
    lower.make_ascii_lowercase();
    // Cut at the end of the last whole character (lowercasing ASCII keeps UTF-8 valid).
    let lower = match std::str::from_utf8(lower) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&lower[..e.valid_up_to()]).unwrap_or_default(),
    };
    BOT_WORDS.iter().any(|w| lower.contains(w))
}

/// The device family: tablets first (an Android agent without "Mobile" is a tablet).
pub(crate) fn device(ua: &str) -> Device {
    let android = ua.contains("Android");
    if ua.contains("iPad") || ua.contains("Tablet") || (android && !ua.contains("Mobile")) {
        Device::Tablet
    } else if ua.contains("Mobile")
        || ua.contains("iPhone")
        || ua.contains("iPod")
        || android
        || ua.contains("HarmonyOS")
        || ua.contains("OpenHarmony")
        || ua.contains("Windows Phone")
    {
        Device::Mobile
    } else {
        Device::Desktop
    }
}

/// The browser family. Order matters: Chinese browsers and Edge/Opera also say "Chrome/"
/// and "Safari/", and Chrome says "Safari/".
pub(crate) fn browser(ua: &str) -> Browser {
    let any = |words: &[&str]| words.iter().any(|w| ua.contains(w));
    if any(&["MicroMessenger"]) {
        Browser::WeChat
    } else if any(&["MQQBrowser", "QQBrowser", "QQ/"]) {
        Browser::Qq
    } else if any(&["UCBrowser", "UCWEB"]) {
        Browser::Uc
    } else if any(&["360SE", "360EE", "QihooBrowser"]) {
        Browser::Qihoo
    } else if any(&["MetaSr", "SogouMobileBrowser"]) {
        Browser::Sogou
    } else if any(&["Edg/", "Edge/", "EdgA/", "EdgiOS/"]) {
        Browser::Edge
    } else if any(&["OPR/", "Opera", "OPiOS/"]) {
        Browser::Opera
    } else if any(&["Firefox/", "FxiOS"]) {
        Browser::Firefox
    } else if any(&["Chrome/", "CriOS"]) {
        Browser::Chrome
    } else if ua.contains("Safari/") && ua.contains("Version/") {
        Browser::Safari
    } else if any(&["MSIE", "Trident/"]) {
        Browser::InternetExplorer
    } else {
        Browser::Other
    }
}

/// Search engines by domain (a host equal to it or below it).
const ENGINES: [(&str, &str); 11] = [
    ("so.toutiao.com", "头条搜索"),
    ("baidu.com", "百度"),
    ("sogou.com", "搜狗"),
    ("so.com", "360搜索"),
    ("bing.com", "必应"),
    ("sm.cn", "神马"),
    ("chinaso.com", "中国搜索"),
    ("duckduckgo.com", "DuckDuckGo"),
    ("search.yahoo.com", "雅虎"),
    ("ecosia.org", "Ecosia"),
    ("naver.com", "Naver"),
];

/// Search engines under every country's domain (google.com, google.com.hk, yandex.ru …).
const ENGINE_BRANDS: [(&str, &str); 2] = [("google", "谷歌"), ("yandex", "Yandex")];

/// Social media by domain.
const SOCIAL: [&str; 13] = [
    "weibo.com",
    "weibo.cn",
    "t.cn",
    "qq.com",
    "zhihu.com",
    "douyin.com",
    "toutiao.com",
    "xiaohongshu.com",
    "xhslink.com",
    "bilibili.com",
    "b23.tv",
    "douban.com",
    "kuaishou.com",
];

/// Classifies a referrer; `None` when the referrer is a page of the same host (a link
/// within the site, not a source). A missing or empty referrer is direct; one that is not
/// an http(s) URL with a host (an app's `android-app://…`, garbage) is [`SourceClass::Other`]
/// without a host, so it counts as a source but names no referring site.
pub fn classify_referrer(referrer: Option<&str>, host: Option<&str>) -> Option<Referral> {
    referral(referrer, host).map(|(class, engine, host)| Referral {
        class,
        engine,
        host: host.map(str::to_ascii_lowercase),
    })
}

/// [`classify_referrer`] without allocating: the referring host is a slice of the
/// referrer, in its own case (the caller lowercases it).
pub(crate) fn referral<'r>(
    referrer: Option<&'r str>,
    host: Option<&str>,
) -> Option<(SourceClass, Option<&'static str>, Option<&'r str>)> {
    let referrer = referrer.map(str::trim).unwrap_or_default();
    if referrer.is_empty() {
        return Some((SourceClass::Direct, None, None));
    }
    let Some(from) = url_host(referrer) else {
        return Some((SourceClass::Other, None, None));
    };
    if host.is_some_and(|h| strip_port(h).eq_ignore_ascii_case(from)) {
        return None;
    }
    let engine = ENGINES
        .iter()
        .find(|(domain, _)| in_domain(from, domain))
        .or_else(|| {
            ENGINE_BRANDS
                .iter()
                .find(|(brand, _)| is_brand(from, brand))
        })
        .map(|(_, name)| *name);
    let class = if engine.is_some() {
        SourceClass::SearchEngine
    } else if in_domain(from, "gov.cn") {
        SourceClass::Government
    } else if SOCIAL.iter().any(|domain| in_domain(from, domain)) {
        SourceClass::Social
    } else {
        SourceClass::Other
    };
    Some((class, engine, Some(from)))
}

/// The host of an http(s) URL (no user, no port, no trailing dot); None for anything else.
fn url_host(url: &str) -> Option<&str> {
    let rest = strip_prefix_ignore_case(url, "https://")
        .or_else(|| strip_prefix_ignore_case(url, "http://"))?;
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    let host = strip_port(authority).trim_end_matches('.');
    (!host.is_empty()).then_some(host)
}

/// A `Host` without its port ("[::1]:8080" → "[::1]").
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        host.find(']').map_or(host, |end| &host[..=end])
    } else {
        host.split(':').next().unwrap_or_default()
    }
}

fn strip_prefix_ignore_case<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.as_bytes().get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix.as_bytes())
        .then(|| &s[prefix.len()..])
}

/// Whether `host` is `domain` or below it, ignoring ASCII case.
fn in_domain(host: &str, domain: &str) -> bool {
    let (h, d) = (host.as_bytes(), domain.as_bytes());
    if h.len() < d.len() || !h[h.len() - d.len()..].eq_ignore_ascii_case(d) {
        return false;
    }
    h.len() == d.len() || h[h.len() - d.len() - 1] == b'.'
}

/// Whether `host` is the brand under a country's domain: "www.google.com.hk", "google.de",
/// "yandex.ru" (the brand followed by one or two short labels).
fn is_brand(host: &str, brand: &str) -> bool {
    let mut labels = host.rsplit('.');
    let last = labels.next().unwrap_or_default();
    let Some(second) = labels.next() else {
        return false;
    };
    let short = |l: &str| !l.is_empty() && l.len() <= 3;
    if second.eq_ignore_ascii_case(brand) {
        return short(last);
    }
    labels
        .next()
        .is_some_and(|third| third.eq_ignore_ascii_case(brand) && short(second) && short(last))
}

#[cfg(test)]
mod tests;
