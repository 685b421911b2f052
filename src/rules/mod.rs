//! rules (work in progress)
