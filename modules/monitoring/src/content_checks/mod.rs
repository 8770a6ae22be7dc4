//! Content checks over articles: serious errors (misspelt names of national leaders and
//! institutions, outdated institution names, sensitive words) from shipped lists edited at
//! the province, likely typos as warnings, and links hidden by styling (暗链).
