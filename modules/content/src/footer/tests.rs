use super::*;

fn field_of(f: &SiteFooter, nested: bool) -> Option<&'static str> {
    match f.validate(nested) {
        Err(ContentError::Invalid { field, .. }) => Some(field),
        Err(e) => panic!("unexpected {e}"),
        Ok(()) => None,
    }
}

fn full() -> SiteFooter {
    SiteFooter {
        site_code: "4400000114".into(),
        icp_record: "粤ICP备05070829号".into(),
        police_record: "粤公网安备 44010402000195号".into(),
        conac_id: "BFC1D08BF3309DDCE05310291AAC2C98".into(),
        undertaker: "广东省政务服务数据管理局".into(),
        phone: "020-83133333".into(),
        address: "广州市越秀区东风中路305号".into(),
        email: "webmaster@gd.gov.cn".into(),
    }
}

#[test]
fn good_footers_pass_and_links_follow_the_national_formats() {
    let f = full();
    assert_eq!(field_of(&f, false), None);
    assert_eq!(field_of(&SiteFooter::default(), true), None);
    for ok in [
        SiteFooter {
            site_code: "bm09000013".into(),
            ..full()
        },
        SiteFooter {
            icp_record: "京ICP备2023012345号-1".into(),
            ..full()
        },
        SiteFooter {
            police_record: "粤公网安备44010402000195号".into(),
            ..full()
        },
        SiteFooter {
            phone: "（020）8313 3333、12345".into(),
            ..full()
        },
    ] {
        assert_eq!(field_of(&ok, false), None, "{ok:?}");
    }
    assert_eq!(
        f.police_url().as_deref(),
        Some("https://beian.mps.gov.cn/#/query/webSearch?code=44010402000195")
    );
    assert_eq!(
        f.conac_url().as_deref(),
        Some("https://bszs.conac.cn/sitename?method=show&id=BFC1D08BF3309DDCE05310291AAC2C98")
    );
    assert_eq!(
        f.error_report_url("http%3A%2F%2Fx%2F").as_deref(),
        Some(
            "https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfoNew?siteCode=4400000114&url=http%3A%2F%2Fx%2F"
        )
    );
    let none = SiteFooter::default();
    assert_eq!(
        (
            none.conac_url(),
            none.police_url(),
            none.error_report_url("u")
        ),
        (None, None, None)
    );
}

#[test]
fn bad_items_are_refused_naming_the_field() {
    for (bad, field) in [
        (
            SiteFooter {
                site_code: "440000".into(),
                ..full()
            },
            "site_code",
        ),
        (
            SiteFooter {
                site_code: "bm0900001x".into(),
                ..full()
            },
            "site_code",
        ),
        (
            SiteFooter {
                icp_record: "ICP备05070829号".into(),
                ..full()
            },
            "icp_record",
        ),
        (
            SiteFooter {
                icp_record: "粤ICP备0507号码".into(),
                ..full()
            },
            "icp_record",
        ),
        (
            SiteFooter {
                police_record: "粤公网安备 4401号".into(),
                ..full()
            },
            "police_record",
        ),
        (
            SiteFooter {
                conac_id: "not-hex".into(),
                ..full()
            },
            "conac_id",
        ),
        (
            SiteFooter {
                undertaker: "办".repeat(101),
                ..full()
            },
            "undertaker",
        ),
        (
            SiteFooter {
                phone: "call us".into(),
                ..full()
            },
            "phone",
        ),
        (
            SiteFooter {
                address: "东风中路\u{7}".into(),
                ..full()
            },
            "address",
        ),
        (
            SiteFooter {
                email: "webmaster@gd".into(),
                ..full()
            },
            "email",
        ),
        (
            SiteFooter {
                email: "a b@gd.gov.cn".into(),
                ..full()
            },
            "email",
        ),
    ] {
        assert_eq!(field_of(&bad, false), Some(field), "{bad:?}");
        let nested = format!("footer.{field}");
        assert_eq!(field_of(&bad, true), Some(nested.as_str()), "{bad:?}");
    }
}
