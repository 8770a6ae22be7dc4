//! Failure behaviour: isolated and dead nodes, catch-up, aerial roots.
