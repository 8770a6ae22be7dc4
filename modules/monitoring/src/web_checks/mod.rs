//! Checks over the web: availability probes of this node's sites and its children's, and
//! dead links in published pages and attachments (external ones checked safely).
