//! korean (work in progress)
