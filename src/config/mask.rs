//! Secret masking: which configuration values are never printed unless asked for.

/// The value to show for property `name`: secrets become `[hidden]`, except config-provider
/// references such as `${file:/etc/secrets:password}`, which are not secret themselves.
pub fn mask_property<'a>(name: &str, value: &'a str) -> &'a str {
    if is_secret(name) && !is_provider_reference(value) && !value.is_empty() {
        "[hidden]"
    } else {
        value
    }
}

pub fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("password")
        || name.contains("secret")
        || name.ends_with("sasl.jaas.config")
        || name.ends_with("ssl.key.pem")
        || name.ends_with("ssl.keystore.key")
        || name.ends_with("sasl.oauthbearer.config")
}

pub fn is_provider_reference(value: &str) -> bool {
    value.starts_with("${") && value.ends_with('}') && value[2..].contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords_but_not_references() {
        assert_eq!(mask_property("sasl.password", "s3cret"), "[hidden]");
        assert_eq!(mask_property("ssl.key.password", "x"), "[hidden]");
        assert_eq!(
            mask_property("connection.password", "${file:/etc/s.properties:pw}"),
            "${file:/etc/s.properties:pw}"
        );
        assert_eq!(mask_property("client.id", "kct"), "kct");
        assert_eq!(mask_property("sasl.password", ""), "");
    }
}
