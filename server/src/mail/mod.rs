//! Transactional e-mail (issue 21): the SMTP settings (`settings.rs`), the
//! templates (`templates.rs`, defaults in `server/emails/`), what they read
//! (`context.rs`), the stay's `.ics` (`ics.rs`), a message composed
//! (`compose.rs`) and sent (`send.rs`).

pub mod compose;
pub mod context;
pub mod ics;
pub mod send;
pub mod settings;
pub mod templates;
#[cfg(test)]
mod tests;

pub use settings::{MailArgs, SmtpConfig};
pub use templates::Templates;
