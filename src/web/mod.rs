//! web (work in progress)
