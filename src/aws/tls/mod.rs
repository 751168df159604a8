//! The tls provider (hashicorp/tls 4.x), built in: `tls_private_key`, a generated type
//! ([`crate::aws::generated`]) whose result is a new private key, kept in state.

pub mod private_key;
