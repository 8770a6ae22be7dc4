//! The staff console (管理后台): server-rendered pages under `/admin/`, apart from the
//! JSON API in [`crate::api`]. Empty until the console issues fill it; its layout:
//! `admin/<area>.rs` per workflow (publishing, letters desk, platform), each with its own
//! `routes()`, pages rendered from typed templates, sign-in and CSRF in `common/`.
