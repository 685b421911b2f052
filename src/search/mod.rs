//! search (work in progress)
