//! Forged, altered and unauthorised entries are rejected one by one.
