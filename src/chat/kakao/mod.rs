//! The Kakao i Open Builder skill protocol: the request Open Builder sends
//! ([`request::SkillRequest`]) and the response it expects ([`response::SkillResponse`],
//! version 2.0).

pub mod request;
pub mod response;
