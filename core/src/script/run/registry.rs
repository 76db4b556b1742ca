//! The schema registry's commands.

use super::*;

impl Runner {
    /// The schema registry's commands.
    pub(super) fn run_registry(
        &mut self,
        line: usize,
        command: &Command,
        out: &mut Vec<Output>,
    ) -> Result<Vec<String>, Stop> {
        match command {
            Command::SchemaRegister {
                subject,
                schema,
                references,
            } => {
                let registered = self
                    .registry
                    .register_with_references(subject, schema, references)?;
                let subject = subject.clone();
                out.push(Output::new(
                    line,
                    Event::Schema {
                        subject,
                        registered,
                    },
                ));
            }
            Command::SchemaCheck {
                subject,
                schema,
                references,
            } => {
                let incompatibility = self
                    .registry
                    .test_compatibility(subject, schema, references)?;
                let event = Event::Compatibility {
                    subject: subject.clone(),
                    level: self.registry.effective_compatibility(subject),
                    incompatibility,
                };
                out.push(Output::new(line, event));
            }
            Command::SchemaCompatibility {
                subject,
                level,
                policy,
            } => self
                .registry
                .set_compatibility(subject.as_deref(), *level, *policy),
            Command::SchemaDelete(subject) => {
                let versions = self.registry.delete_subject(subject)?;
                let subject = subject.clone();
                out.push(Output::new(
                    line,
                    Event::SchemaDeleted { subject, versions },
                ));
            }
            // The dispatcher sends only these commands here.
            _ => {}
        }
        Ok(Vec::new())
    }
}
