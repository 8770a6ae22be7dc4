//! Page rendering with minijinja: a default template set compiled into the binary, and
//! per-site overrides from the database.
//!
//! Templates are data, never code: the environment has no file or network loader (only
//! the in-memory sources below), no functions beyond minijinja's builtins, and a fuel limit,
//! so a platform admin editing a template cannot read files, run processes or spin forever.
//! Nor can an override emit script ([`check_template_source`], and every page an override
//! renders is checked the same way before it is served).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use minijinja::{AutoEscape, Environment, Value};

use crate::ContentError;

mod check;

pub use check::check_template_source;

/// Names of the templates a site may override.
pub const TEMPLATE_NAMES: [&str; 14] = [
    "layout.html",
    "home.html",
    "column.html",
    "article.html",
    "search.html",
    "letters.html",
    "letter_sent.html",
    "letter_track.html",
    "qa.html",
    "survey.html",
    "survey_list.html",
    "maintenance.html",
    "gone.html",
    "error.html",
];

/// The default stylesheet, served at `/static/site.css`.
pub const SITE_CSS: &str = include_str!("../static/site.css");

/// The default source of a template.
pub fn default_template(name: &str) -> Option<&'static str> {
    Some(match name {
        "layout.html" => include_str!("../templates/layout.html"),
        "home.html" => include_str!("../templates/home.html"),
        "column.html" => include_str!("../templates/column.html"),
        "article.html" => include_str!("../templates/article.html"),
        "search.html" => include_str!("../templates/search.html"),
        "letters.html" => include_str!("../templates/letters.html"),
        "letter_sent.html" => include_str!("../templates/letter_sent.html"),
        "letter_track.html" => include_str!("../templates/letter_track.html"),
        "qa.html" => include_str!("../templates/qa.html"),
        "survey.html" => include_str!("../templates/survey.html"),
        "survey_list.html" => include_str!("../templates/survey_list.html"),
        "maintenance.html" => include_str!("../templates/maintenance.html"),
        "gone.html" => include_str!("../templates/gone.html"),
        "error.html" => include_str!("../templates/error.html"),
        _ => return None,
    })
}

/// Instruction budget per render: ample for a page listing a thousand clauses, fatal to a runaway loop.
const FUEL: u64 = 5_000_000;

/// The largest page a template may render: a law of a thousand clauses is about 1 MiB; a
/// template writing more is stopped rather than let every page cost memory and bandwidth.
pub const MAX_PAGE_BYTES: usize = 8 << 20;

/// A sink that refuses to grow past [`MAX_PAGE_BYTES`], and remembers that it did.
struct Bounded {
    page: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.page.len() + buf.len() > MAX_PAGE_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("page too large"));
        }
        self.page.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn environment(overrides: HashMap<String, String>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_fuel(Some(FUEL));
    env.set_loader(move |name| {
        Ok(overrides
            .get(name)
            .cloned()
            .or_else(|| default_template(name).map(str::to_string)))
    });
    env
}

fn template_error(name: &str, e: &minijinja::Error) -> ContentError {
    let mut message = e.to_string();
    if let Some(line) = e.line() {
        message = format!("line {line}: {message}");
    }
    ContentError::Template {
        name: name.to_string(),
        message,
    }
}

/// Renders pages for every site, each with its overrides.
pub struct Renderer {
    defaults: Environment<'static>,
    sites: RwLock<HashMap<String, Arc<Environment<'static>>>>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").finish_non_exhaustive()
    }
}

impl Default for Renderer {
    fn default() -> Self {
        Renderer {
            defaults: environment(HashMap::new()),
            sites: RwLock::new(HashMap::new()),
        }
    }
}

impl Renderer {
    /// Checks that a set of overrides emits no script ([`check_template_source`]) and
    /// compiles (every template, since one may extend another).
    pub fn check(overrides: &HashMap<String, String>) -> Result<(), ContentError> {
        let mut names: Vec<&String> = overrides.keys().collect();
        names.sort();
        for name in names {
            if !TEMPLATE_NAMES.contains(&name.as_str()) {
                return Err(ContentError::Invalid {
                    field: "name",
                    message: format!(
                        "`{name}` is not a template name ({})",
                        TEMPLATE_NAMES.join(", ")
                    ),
                });
            }
            check_template_source(name, &overrides[name])?;
        }
        let env = environment(overrides.clone());
        for name in TEMPLATE_NAMES {
            env.get_template(name)
                .map_err(|e| template_error(name, &e))?;
        }
        Ok(())
    }

    /// Installs a site's overrides (an empty map restores the defaults).
    pub fn set_overrides(
        &self,
        site: &str,
        overrides: HashMap<String, String>,
    ) -> Result<(), ContentError> {
        Self::check(&overrides)?;
        let mut sites = self.sites.write().unwrap_or_else(|p| p.into_inner());
        if overrides.is_empty() {
            sites.remove(site);
        } else {
            sites.insert(site.to_string(), Arc::new(environment(overrides)));
        }
        Ok(())
    }

    /// A renderer holding only `site`'s candidate `overrides`, checked as installed ones
    /// are: a preview of unsaved templates renders with it, storing nothing and leaving the
    /// node's renderer as it is.
    pub fn preview(
        site: &str,
        overrides: HashMap<String, String>,
    ) -> Result<Renderer, ContentError> {
        let r = Renderer::default();
        r.set_overrides(site, overrides)?;
        Ok(r)
    }

    /// Renders `name` for `site` (or with the defaults when `site` is none).
    pub fn render(
        &self,
        site: Option<&str>,
        name: &str,
        ctx: &Value,
    ) -> Result<String, ContentError> {
        let overridden = site.and_then(|s| {
            self.sites
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .get(s)
                .cloned()
        });
        let env: &Environment<'static> = overridden.as_deref().unwrap_or(&self.defaults);
        let tmpl = env
            .get_template(name)
            .map_err(|e| template_error(name, &e))?;
        let mut out = Bounded {
            page: Vec::with_capacity(16 << 10),
            overflowed: false,
        };
        if let Err(e) = tmpl.render_captured_to(ctx, &mut out) {
            return Err(if out.overflowed {
                ContentError::Template {
                    name: name.to_string(),
                    message: format!("the page is larger than {} MiB", MAX_PAGE_BYTES >> 20),
                }
            } else {
                template_error(name, &e)
            });
        }
        let html = String::from_utf8(out.page).map_err(|e| ContentError::Template {
            name: name.to_string(),
            message: e.to_string(),
        })?;
        // minijinja's HTML escaping also encodes '/', which HTML never requires; undoing it
        // keeps URLs in pages readable and changes nothing a browser sees.
        let html = html.replace("&#x2f;", "/");
        if overridden.is_some() {
            // What only the rendering shows (`<{{ 'script' }}>`): the defaults are ours,
            // an override's page is checked before anyone receives it.
            check::check_rendered(name, &html)?;
        }
        Ok(html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_template_compiles() {
        Renderer::check(&HashMap::new()).unwrap();
    }

    #[test]
    fn overrides_are_checked_and_sandboxed() {
        let bad = HashMap::from([("home.html".to_string(), "{% for x in %}".to_string())]);
        let err = Renderer::check(&bad).unwrap_err().to_string();
        assert!(err.contains("home.html") && err.contains("line 1"), "{err}");
        let unknown = HashMap::from([("../../etc/passwd".to_string(), "x".to_string())]);
        assert!(Renderer::check(&unknown).is_err());
        // No loader reaches the file system: including a path fails.
        let r = Renderer::default();
        let sneaky = HashMap::from([(
            "error.html".to_string(),
            "{% include '/etc/passwd' %}".to_string(),
        )]);
        r.set_overrides("s", sneaky).unwrap();
        assert!(
            r.render(Some("s"), "error.html", &Value::UNDEFINED)
                .is_err()
        );
        // A runaway loop runs out of fuel instead of hanging the node.
        let spin = HashMap::from([(
            "error.html".to_string(),
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
                .to_string(),
        )]);
        r.set_overrides("s", spin).unwrap();
        let err = r
            .render(Some("s"), "error.html", &Value::UNDEFINED)
            .unwrap_err()
            .to_string();
        assert!(err.contains("fuel"), "{err}");
        // A page that would be huge stops at the limit instead of taking the memory.
        let huge = HashMap::from([(
            "error.html".to_string(),
            "{% for i in range(20000) %}{{ 'x' * 1000 }}{% endfor %}".to_string(),
        )]);
        r.set_overrides("s", huge).unwrap();
        let err = r
            .render(Some("s"), "error.html", &Value::UNDEFINED)
            .unwrap_err()
            .to_string();
        assert!(err.contains("larger than 8 MiB"), "{err}");
    }

    #[test]
    fn overrides_may_not_emit_script() {
        let r = Renderer::default();
        // Refused when installed, whatever the way in (the API, a replica, a restart).
        let script = HashMap::from([(
            "error.html".to_string(),
            "<p>{{ message }}</p>\n<script>alert(1)</script>".to_string(),
        )]);
        let err = r.set_overrides("s", script).unwrap_err().to_string();
        assert!(
            err.contains("error.html") && err.contains("第 2 行") && err.contains("<script>"),
            "{err}"
        );
        // What only the rendering produces is caught on the page.
        let built = HashMap::from([(
            "error.html".to_string(),
            "<{{ 'scr' ~ 'ipt' }}>alert(1)</{{ 'script' }}>".to_string(),
        )]);
        r.set_overrides("s", built).unwrap();
        let err = r
            .render(Some("s"), "error.html", &Value::UNDEFINED)
            .unwrap_err()
            .to_string();
        assert!(err.contains("<script>"), "{err}");
        let handler = HashMap::from([(
            "error.html".to_string(),
            "<p {{ 'onclick' }}=\"x()\">{{ message }}</p>".to_string(),
        )]);
        r.set_overrides("s", handler).unwrap();
        let ctx = minijinja::context! { message => "x" };
        let err = r
            .render(Some("s"), "error.html", &ctx)
            .unwrap_err()
            .to_string();
        assert!(err.contains("onclick"), "{err}");
        // Data is escaped, so what a citizen typed never trips the check.
        let echo = HashMap::from([(
            "error.html".to_string(),
            "<p title=\"{{ message }}\">{{ message }}</p>".to_string(),
        )]);
        r.set_overrides("s", echo).unwrap();
        let ctx =
            minijinja::context! { message => "<script>alert(1)</script> onclick=x javascript:y" };
        let page = r.render(Some("s"), "error.html", &ctx).unwrap();
        assert!(page.contains("&lt;script&gt;"), "{page}");
    }

    #[test]
    fn a_preview_renders_candidates_apart() {
        let live = Renderer::default();
        let one = |src: &str| HashMap::from([("error.html".to_string(), src.to_string())]);
        live.set_overrides("a", one("live{{ status }}")).unwrap();
        let preview = Renderer::preview("a", one("candidate{{ status }}")).unwrap();
        let ctx = minijinja::context! { status => 404, message => "x" };
        assert_eq!(
            preview.render(Some("a"), "error.html", &ctx).unwrap(),
            "candidate404"
        );
        assert_eq!(
            live.render(Some("a"), "error.html", &ctx).unwrap(),
            "live404"
        );
        // A candidate is checked like a stored override.
        assert!(Renderer::preview("a", one("<script>x</script>")).is_err());
    }

    #[test]
    fn overrides_apply_per_site() {
        let r = Renderer::default();
        let one = |src: &str| HashMap::from([("error.html".to_string(), src.to_string())]);
        r.set_overrides("a", one("A{{ status }}")).unwrap();
        r.set_overrides("b", one("B{{ status }}")).unwrap();
        let ctx = minijinja::context! { status => 404, message => "x" };
        assert_eq!(r.render(Some("a"), "error.html", &ctx).unwrap(), "A404");
        assert_eq!(r.render(Some("b"), "error.html", &ctx).unwrap(), "B404");
        // Clearing a site's overrides brings its defaults back (the default page needs a site).
        r.set_overrides("a", HashMap::new()).unwrap();
        let err = r.render(Some("a"), "error.html", &ctx).unwrap_err();
        assert!(err.to_string().contains("site"), "{err}");
        assert_eq!(r.render(Some("b"), "error.html", &ctx).unwrap(), "B404");
    }
}
