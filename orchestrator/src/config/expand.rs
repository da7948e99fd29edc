//! `${VAR}` expansion, as Claude Desktop and VS Code configurations write it.

/// Replaces `${VAR}`, `${env:VAR}` and `${VAR:-default}` with values from `lookup`; `$$`
/// stands for a literal `$`. A variable that is not set (and has no default) is an error that
/// names it, so a missing secret never becomes an empty header silently.
///
/// ```
/// use orchestrator::config::expand_env;
/// let env = |name: &str| (name == "HOME").then(|| "/home/me".to_owned());
/// assert_eq!(expand_env("${HOME}/bin:${env:HOME}", &env).unwrap(), "/home/me/bin:/home/me");
/// assert_eq!(expand_env("${PORT:-8101}", &env).unwrap(), "8101");
/// assert!(expand_env("${TOKEN}", &env).unwrap_err().contains("TOKEN"));
/// ```
pub fn expand_env(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| format!("`${{` without a closing `}}` in \"{text}\""))?;
            let reference = &body[..end];
            let reference = reference.strip_prefix("env:").unwrap_or(reference);
            let (name, default) = match reference.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (reference, None),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!(
                    "`${{{reference}}}` is not a variable name (letters, digits and _)"
                ));
            }
            match (lookup(name), default) {
                (Some(value), _) => out.push_str(&value),
                (None, Some(default)) => out.push_str(default),
                (None, None) => {
                    return Err(format!(
                        "the environment variable {name} is not set (write ${{{name}:-default}} for a fallback)"
                    ));
                }
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::expand_env;

    fn env(name: &str) -> Option<String> {
        match name {
            "A" => Some("alpha".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_every_form() {
        assert_eq!(
            expand_env("x${A}y${env:A}", &env).as_deref(),
            Ok("xalphayalpha")
        );
        assert_eq!(
            expand_env("${B:-fallback}", &env).as_deref(),
            Ok("fallback")
        );
        assert_eq!(expand_env("${EMPTY:-fallback}", &env).as_deref(), Ok(""));
        assert_eq!(
            expand_env("cost $$5 and $HOME", &env).as_deref(),
            Ok("cost $5 and $HOME")
        );
        assert_eq!(
            expand_env("no variables", &env).as_deref(),
            Ok("no variables")
        );
    }

    #[test]
    fn rejects_what_cannot_be_expanded() {
        assert!(
            expand_env("${B}", &env)
                .unwrap_err()
                .contains("B is not set")
        );
        assert!(expand_env("${A", &env).unwrap_err().contains("closing"));
        assert!(
            expand_env("${}", &env)
                .unwrap_err()
                .contains("not a variable name")
        );
        assert!(
            expand_env("${A B}", &env)
                .unwrap_err()
                .contains("not a variable name")
        );
    }
}
