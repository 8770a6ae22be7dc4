//! Classification vocabularies of the resource library.

use serde::Serialize;

/// A theme classification (主题分类) of the government information disclosure catalogue.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Theme {
    /// Two-digit code used in index numbers.
    pub code: &'static str,
    /// Chinese label.
    pub label: &'static str,
}

/// The top-level themes of the State Council's public-document theme classification.
pub const THEMES: &[Theme] = &[
    Theme {
        code: "01",
        label: "综合政务",
    },
    Theme {
        code: "02",
        label: "国民经济管理、国有资产监管",
    },
    Theme {
        code: "03",
        label: "财政、金融、审计",
    },
    Theme {
        code: "04",
        label: "国土资源、能源",
    },
    Theme {
        code: "05",
        label: "农业、林业、水利",
    },
    Theme {
        code: "06",
        label: "工业、交通",
    },
    Theme {
        code: "07",
        label: "商贸、海关、旅游",
    },
    Theme {
        code: "08",
        label: "市场监管、安全生产监管",
    },
    Theme {
        code: "09",
        label: "城乡建设、环境保护",
    },
    Theme {
        code: "10",
        label: "科技、教育",
    },
    Theme {
        code: "11",
        label: "文化、广电、新闻出版",
    },
    Theme {
        code: "12",
        label: "卫生、体育",
    },
    Theme {
        code: "13",
        label: "人口与计划生育、妇女儿童工作",
    },
    Theme {
        code: "14",
        label: "劳动、人事、监察",
    },
    Theme {
        code: "15",
        label: "公安、安全、司法",
    },
    Theme {
        code: "16",
        label: "民政、扶贫、救灾",
    },
    Theme {
        code: "17",
        label: "民族、宗教",
    },
    Theme {
        code: "18",
        label: "对外事务",
    },
    Theme {
        code: "19",
        label: "港澳台侨工作",
    },
    Theme {
        code: "20",
        label: "国防",
    },
    Theme {
        code: "21",
        label: "其他",
    },
];

/// Looks a theme up by code.
pub fn theme(code: &str) -> Option<&'static Theme> {
    THEMES.iter().find(|t| t.code == code)
}

/// A document type: what search groups results by and feeds label.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DocType {
    /// Wire name.
    pub code: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// Whether pages of this type show the disclosure metadata table.
    pub is_policy: bool,
}

/// Every document type the platform knows.
pub const DOC_TYPES: &[DocType] = &[
    DocType {
        code: "news",
        label: "工作动态",
        is_policy: false,
    },
    DocType {
        code: "notice",
        label: "通知公告",
        is_policy: false,
    },
    DocType {
        code: "policy",
        label: "政策文件",
        is_policy: true,
    },
    DocType {
        code: "interpretation",
        label: "政策解读",
        is_policy: false,
    },
    DocType {
        code: "guide",
        label: "办事指南",
        is_policy: false,
    },
    DocType {
        code: "qa",
        label: "问答",
        is_policy: false,
    },
    DocType {
        code: "topic",
        label: "专题",
        is_policy: false,
    },
    DocType {
        code: "law",
        label: "法律法规",
        is_policy: true,
    },
    DocType {
        code: "report",
        label: "工作报告",
        is_policy: true,
    },
];

/// Looks a document type up by wire name.
pub fn doc_type(code: &str) -> Option<&'static DocType> {
    DOC_TYPES.iter().find(|t| t.code == code)
}

/// The Chinese label of a document type (empty for an unknown code).
pub fn doc_type_label(code: &str) -> &'static str {
    doc_type(code).map(|t| t.label).unwrap_or("")
}

/// The Chinese label of a theme (empty for an unknown code).
pub fn theme_label(code: &str) -> &'static str {
    theme(code).map(|t| t.label).unwrap_or("")
}
