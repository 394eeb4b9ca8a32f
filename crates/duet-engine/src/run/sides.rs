//! How the engine names the two sides in log lines: the direction a row went and the
//! side's name in messages.

use duet_maps::Side;

pub(in crate::run) fn direction_name(to: Side) -> &'static str {
    match to {
        Side::Dataverse => "toDataverse",
        Side::FinanceOperations => "toFinanceOperations",
    }
}

pub(in crate::run) fn side_title(side: Side) -> &'static str {
    match side {
        Side::Dataverse => "Dataverse",
        Side::FinanceOperations => "finance and operations",
    }
}
