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
                let r = self.registry.register(subject, schema)?;
                out.push(Output::new(
                    line,
                    OutputKind::Schema,
                    obj!({ "subject": subject, "id": r.id, "version": r.version, "new": r.new }),
                ));
            }
            Command::SchemaCheck { subject, schema } => {
                let reasons = self.registry.test_compatibility(subject, schema)?;
                out.push(Output::new(
                    line,
                    OutputKind::Compatibility,
                    obj!({ "subject": subject, "level": self.registry.effective_compatibility(subject).name(),
                            "is_compatible": reasons.is_empty(), "messages": reasons }),
                ));
            }
            Command::SchemaCompatibility { subject, level } => {
                self.registry.set_compatibility(subject.as_deref(), *level)
            }
            Command::SchemaDelete(subject) => {
                let versions = self.registry.delete_subject(subject)?;
                out.push(Output::new(
                    line,
                    OutputKind::SchemaDeleted,
                    obj!({ "subject": subject, "versions": versions }),
                ));
            }
            // The dispatcher sends only these commands here.
            _ => {}
        }
        Ok(Vec::new())
    }
}
