//! chat (work in progress)
