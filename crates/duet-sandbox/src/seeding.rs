//! Opening the emulators' two stores at start-up, and what a fresh store is seeded with
//! according to the profiles: customers, template sample rows, existing accounts.

use std::path::PathBuf;

use crate::{DvProfile, FoProfile, SandboxConfig, dataverse, finops, store};

/// What the two stores are opened with, and seeded with when fresh.
pub(crate) struct Stores {
    fo_path: PathBuf,
    dv_path: PathBuf,
    seed: u64,
    customers: usize,
    fo_template_rows: usize,
    dv_profile: DvProfile,
    dv_existing: usize,
    rows: usize,
    template_rows: usize,
}

impl Stores {
    pub(crate) fn of(config: &SandboxConfig) -> Stores {
        let with_data = config.fo_profile == FoProfile::WithData;
        Stores {
            fo_path: config.dir.join("finops.sqlite"),
            dv_path: config.dir.join("dataverse.sqlite"),
            seed: config.seed,
            customers: if with_data { config.rows } else { 0 },
            fo_template_rows: if with_data { config.template_rows } else { 0 },
            dv_profile: config.dv_profile,
            dv_existing: config.dv_existing_rows,
            rows: config.rows,
            template_rows: config.template_rows,
        }
    }

    /// Opens both stores, seeding what the profiles ask for; returns them with the number of
    /// customers and of template sample rows written.
    pub(crate) fn open(self) -> Result<(store::Db, store::Db, usize, usize), rusqlite::Error> {
        let fo_db = finops::open(&self.fo_path)?;
        // Customers first: their generator only runs while no customer exists.
        let customers = finops::seed_customers(&fo_db, self.customers, self.seed)?;
        let mut templates = finops::seed_template_rows(&fo_db, self.fo_template_rows, self.seed)?;
        let dv_db = dataverse::open(&self.dv_path, self.dv_profile == DvProfile::Linked)?;
        match self.dv_profile {
            DvProfile::Existing => {
                dataverse::seed_existing_accounts(&dv_db, self.dv_existing, self.rows, self.seed)?;
            }
            DvProfile::Linked => {
                templates += dataverse::seed_template_rows(&dv_db, self.template_rows, self.seed)?;
            }
            DvProfile::New => {}
        }
        Ok((fo_db, dv_db, customers, templates))
    }
}
