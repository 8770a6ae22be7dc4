//! Agents and referrers as real browsers, crawlers and search engines send them.

use super::*;

const CHROME_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const WECHAT_ANDROID: &str = "Mozilla/5.0 (Linux; Android 13; V2238A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";

fn agent(ua: &str) -> Agent {
    classify_agent(Some(ua))
}

#[test]
fn browsers_devices_and_families() {
    let cases: [(&str, Device, Browser); 16] = [
        (CHROME_WIN, Device::Desktop, Browser::Chrome),
        (SAFARI_IPHONE, Device::Mobile, Browser::Safari),
        (WECHAT_ANDROID, Device::Mobile, Browser::WeChat),
        (
            "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
            Device::Tablet,
            Browser::Safari,
        ),
        (
            "Mozilla/5.0 (Linux; Android 12; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            Device::Tablet,
            Browser::Chrome,
        ),
        (
            "Mozilla/5.0 (Linux; U; Android 12; zh-cn; PEHM00 Build/SKQ1.210216.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/90.0.4430.61 Mobile Safari/537.36 MQQBrowser/13.2",
            Device::Mobile,
            Browser::Qq,
        ),
        (
            "Mozilla/5.0 (Linux; U; Android 10; zh-CN; V1981A Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/15.5.0.1220 Mobile Safari/537.36",
            Device::Mobile,
            Browser::Uc,
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.0.0 Safari/537.36 QIHU 360SE",
            Device::Desktop,
            Browser::Qihoo,
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.198 Safari/537.36 SE 2.X MetaSr 1.0",
            Device::Desktop,
            Browser::Sogou,
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            Device::Desktop,
            Browser::Edge,
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0",
            Device::Desktop,
            Browser::Opera,
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
            Device::Desktop,
            Browser::Firefox,
        ),
        (
            "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
            Device::Desktop,
            Browser::InternetExplorer,
        ),
        (
            "Mozilla/5.0 (Phone; OpenHarmony 4.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.4.300",
            Device::Mobile,
            Browser::Chrome,
        ),
        (
            "Mozilla/5.0 (Tablet; OpenHarmony 4.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1",
            Device::Tablet,
            Browser::Chrome,
        ),
        (
            "Opera/9.80 (Windows NT 6.1) Presto/2.12.388 Version/12.18",
            Device::Desktop,
            Browser::Opera,
        ),
    ];
    for (ua, device, browser) in cases {
        let a = agent(ua);
        assert!(!a.bot, "{ua}");
        assert_eq!((a.device, a.browser), (device, browser), "{ua}");
    }
}

#[test]
fn bots_scripts_and_monitors() {
    for ua in [
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
        "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.32.3",
        "Go-http-client/1.1",
        "Java/17.0.2",
        "okhttp/4.12.0",
        "Apache-HttpClient/4.5.14 (Java/17)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36",
        "Mozilla/5.0 (compatible; govnode-monitor/1.0)",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Chrome-Lighthouse",
        "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "axios/1.7.2",
        "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
        "Scrapy/2.11 (+https://scrapy.org)",
        "",
        "   ",
        "Something/1.0",
    ] {
        assert!(agent(ua).bot, "{ua:?}");
    }
    assert!(classify_agent(None).bot);
}

fn refer(referrer: &str) -> Option<Referral> {
    classify_referrer(Some(referrer), Some("www.gd.gov.cn:8443"))
}

fn source(class: SourceClass, engine: Option<&'static str>, host: &str) -> Option<Referral> {
    Some(Referral {
        class,
        engine,
        host: Some(host.to_string()),
    })
}

#[test]
fn referrers_by_source() {
    use SourceClass::*;
    let direct = Some(Referral {
        class: Direct,
        engine: None,
        host: None,
    });
    assert_eq!(classify_referrer(None, Some("www.gd.gov.cn")), direct);
    assert_eq!(refer(" "), direct);
    // A link within the site (any case, any port) is no source.
    assert_eq!(refer("https://WWW.GD.GOV.CN/columns/news?page=2"), None);
    assert_eq!(refer("http://www.gd.gov.cn:80/"), None);
    let cases = [
        (
            "https://www.baidu.com/link?url=abc",
            source(SearchEngine, Some("百度"), "www.baidu.com"),
        ),
        (
            "https://m.baidu.com/from=844b/s?word=x",
            source(SearchEngine, Some("百度"), "m.baidu.com"),
        ),
        (
            "https://www.sogou.com/web?query=x",
            source(SearchEngine, Some("搜狗"), "www.sogou.com"),
        ),
        (
            "https://www.so.com/s?q=x",
            source(SearchEngine, Some("360搜索"), "www.so.com"),
        ),
        (
            "https://cn.bing.com/search?q=x",
            source(SearchEngine, Some("必应"), "cn.bing.com"),
        ),
        (
            "https://www.google.com.hk/",
            source(SearchEngine, Some("谷歌"), "www.google.com.hk"),
        ),
        (
            "https://google.de/",
            source(SearchEngine, Some("谷歌"), "google.de"),
        ),
        (
            "https://www.google.co.uk/",
            source(SearchEngine, Some("谷歌"), "www.google.co.uk"),
        ),
        (
            "https://yz.m.sm.cn/s?q=x",
            source(SearchEngine, Some("神马"), "yz.m.sm.cn"),
        ),
        (
            "https://so.toutiao.com/search?keyword=x",
            source(SearchEngine, Some("头条搜索"), "so.toutiao.com"),
        ),
        (
            "https://yandex.ru/search/?text=x",
            source(SearchEngine, Some("Yandex"), "yandex.ru"),
        ),
        (
            "https://duckduckgo.com/",
            source(SearchEngine, Some("DuckDuckGo"), "duckduckgo.com"),
        ),
        (
            "https://www.gov.cn/zhengce/",
            source(Government, None, "www.gov.cn"),
        ),
        (
            "https://www.sz.gov.cn:8080/a",
            source(Government, None, "www.sz.gov.cn"),
        ),
        ("http://gov.cn/", source(Government, None, "gov.cn")),
        ("https://weibo.com/u/1", source(Social, None, "weibo.com")),
        ("https://t.cn/A6x", source(Social, None, "t.cn")),
        (
            "https://mp.weixin.qq.com/s/x",
            source(Social, None, "mp.weixin.qq.com"),
        ),
        (
            "https://www.zhihu.com/question/1",
            source(Social, None, "www.zhihu.com"),
        ),
        (
            "https://www.toutiao.com/article/1",
            source(Social, None, "www.toutiao.com"),
        ),
        (
            "https://www.xiaohongshu.com/explore",
            source(Social, None, "www.xiaohongshu.com"),
        ),
        (
            "https://user:pw@News.Example.COM./x",
            source(Other, None, "news.example.com"),
        ),
        // Look-alikes are not the brand.
        ("https://notbaidu.com/", source(Other, None, "notbaidu.com")),
        (
            "https://google.example.org/",
            source(Other, None, "google.example.org"),
        ),
        ("https://fakegov.cn/", source(Other, None, "fakegov.cn")),
    ];
    for (referrer, want) in cases {
        assert_eq!(refer(referrer), want, "{referrer}");
    }
    // Not an http(s) URL with a host: a source, but no referring site.
    for odd in [
        "android-app://com.tencent.mm/",
        "not a url",
        "https://",
        "https:///x",
    ] {
        assert_eq!(
            refer(odd),
            Some(Referral {
                class: Other,
                engine: None,
                host: None
            }),
            "{odd}"
        );
    }
    // Without a request host nothing is internal.
    assert_eq!(
        classify_referrer(Some("https://www.gd.gov.cn/"), None),
        source(Government, None, "www.gd.gov.cn")
    );
}

#[test]
fn codes_round_trip() {
    for c in SourceClass::ALL {
        assert_eq!(SourceClass::parse(c.code()), Some(c));
    }
    for d in Device::ALL {
        assert_eq!(Device::parse(d.code()), Some(d));
    }
    for b in Browser::ALL {
        assert_eq!(Browser::parse(b.code()), Some(b));
    }
}
