//! accounts (work in progress)
