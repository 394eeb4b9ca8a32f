//! Client secrets given in environment variables, one per environment, named after the
//! environment's name as the admin typed it: `DUET_SECRET_` and the name in capitals, every
//! run of characters other than ASCII letters and digits turned into one `_`, none at either
//! end ("Contoso Prod (EU)" reads `DUET_SECRET_CONTOSO_PROD_EU`). The name is what a server's
//! admin chooses before Duet runs, unlike the id the store gives. A secret given this way is
//! read, never written anywhere.

/// What every such variable starts with.
const PREFIX: &str = "DUET_SECRET_";

/// The variable that gives the secret of the environment named `name`, or nothing when the
/// name has no ASCII letter or digit to build one from.
pub(crate) fn variable(name: &str) -> Option<String> {
    let mut out = String::from(PREFIX);
    let mut gap = false;
    for character in name.chars() {
        if character.is_ascii_alphanumeric() {
            if gap && out.len() > PREFIX.len() {
                out.push('_');
            }
            gap = false;
            out.push(character.to_ascii_uppercase());
        } else {
            gap = true;
        }
    }
    (out.len() > PREFIX.len()).then_some(out)
}

/// The secret the environment named `name` is given in its variable, if it is set and not
/// empty.
pub(crate) fn given(name: &str) -> Option<String> {
    let value = std::env::var(variable(name)?).ok()?;
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::variable;

    #[test]
    fn a_name_becomes_one_variable_in_capitals_with_single_underscores() {
        assert_eq!(
            variable("Contoso Prod (EU)").as_deref(),
            Some("DUET_SECRET_CONTOSO_PROD_EU")
        );
        assert_eq!(
            variable("Sandbox finance and operations").as_deref(),
            Some("DUET_SECRET_SANDBOX_FINANCE_AND_OPERATIONS")
        );
        assert_eq!(
            variable("  --fabrikam.crm4--  ").as_deref(),
            Some("DUET_SECRET_FABRIKAM_CRM4")
        );
        assert_eq!(variable("Büro 2").as_deref(), Some("DUET_SECRET_B_RO_2"));
    }

    #[test]
    fn a_name_without_letters_or_digits_has_no_variable() {
        assert_eq!(variable("…"), None);
        assert_eq!(variable(""), None);
    }
}
