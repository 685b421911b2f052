//! Configuration in one place.
