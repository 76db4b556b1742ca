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
            Command::SchemaRegister { subject, schema } => {
                let registered = self.registry.register(subject, schema)?;
                let subject = subject.clone();
                out.push(Output::new(
                    line,
                    Event::Schema {
                        subject,
                        registered,
                    },
                ));
            }
            Command::SchemaCheck { subject, schema } => {
                let messages = self.registry.test_compatibility(subject, schema)?;
                let event = Event::Compatibility {
                    subject: subject.clone(),
                    level: self.registry.effective_compatibility(subject),
                    messages,
                };
                out.push(Output::new(line, event));
            }
            Command::SchemaCompatibility { subject, level } => {
                self.registry.set_compatibility(subject.as_deref(), *level)
            }
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
