//! Libraries a program loads at run time with `dlopen`, which no DT_NEEDED entry lists: those
//! the policy file declares, and those the runtimes in our users' stories load by their own
//! rules (.NET: ICU, OpenSSL, GSSAPI; Mono: `dllmap` entries). Each becomes a [`RuntimeLoad`] of
//! the tree file that calls `dlopen`; the loader model resolves it as `dlopen` searches.

use serde::Serialize;

/// One library a file loads at run time: the names it tries, in order (the first found is
/// loaded), and why it is known to load it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuntimeLoad {
    pub names: Vec<String>,
    pub reason: Reason,
}

/// Where the knowledge of a run-time load comes from, and what fails without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum Reason {
    /// The policy file's `[dlopen]` table lists it for this file.
    Declared { policy: String, rule: String },
    /// The .NET runtime loads it for a feature of the app.
    Dotnet {
        feature: DotnetFeature,
        /// How the app was recognised (`publish/app.runtimeconfig.json`, "native AOT").
        app: String,
    },
    /// A Mono `dllmap` entry maps a `[DllImport]` name to it.
    MonoDllmap { dll: String, config: String },
}

/// What a .NET app cannot do without a library it loads at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DotnetFeature {
    /// ICU: the app stops at start unless invariant globalization is on.
    Globalization,
    /// OpenSSL: cryptography, TLS and HTTPS.
    Cryptography,
    /// GSSAPI: Negotiate/Kerberos authentication.
    NegotiateAuthentication,
}

impl Reason {
    /// The program cannot start, or stops for good, without it (else one feature fails when used).
    pub fn fatal(&self) -> bool {
        !matches!(
            self,
            Reason::Dotnet {
                feature: DotnetFeature::Cryptography | DotnetFeature::NegotiateAuthentication,
                ..
            }
        )
    }
}
