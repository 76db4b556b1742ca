//! Clients: creating producers and consumers, closing them, and the faults that hit them.

use super::*;

impl Runner {
    /// The client commands: create, close, crash, lose acks.
    pub(super) fn run_clients(
        &mut self,
        line: usize,
        command: &Command,
        out: &mut Vec<Output>,
    ) -> Result<Vec<String>, Stop> {
        match command {
            Command::Producer { name, configs } => {
                self.free_name(name)?;
                let (serdes, configs) = Serdes::split(configs, true)?;
                let h = self.cluster.create_producer(name, &pairs(&configs))?;
                self.clients.insert(name.clone(), Client::Producer(h));
                self.serdes.insert(name.clone(), serdes);
                self.bulk.remove(name);
            }
            Command::Consumer { name, configs } => {
                self.free_name(name)?;
                let (serdes, configs) = Serdes::split(configs, false)?;
                let h = self.cluster.create_consumer(name, &pairs(&configs))?;
                self.clients.insert(name.clone(), Client::Consumer(h));
                self.serdes.insert(name.clone(), serdes);
            }
            Command::Close(name) => match self.clients.get(name) {
                Some(Client::Producer(h)) => {
                    let events = self.cluster.close_producer(*h)?;
                    self.report_producer(line, name, events, out);
                }
                Some(Client::Consumer(h)) => self.cluster.close_consumer(*h)?,
                None => return Err(err!(InvalidRequest, "there is no client named {name}").into()),
            },
            Command::LoseAcks { producer, count } => {
                let h = self.producer_handle(producer)?;
                self.cluster.lose_acks(h, *count)?;
            }
            Command::Crash(name) => match self.clients.get(name).copied() {
                Some(Client::Producer(h)) => self.cluster.crash_producer(h)?,
                Some(Client::Consumer(h)) => self.cluster.crash_consumer(h)?,
                None if self.crash_connector(name)? => {}
                None => {
                    return Err(err!(
                        InvalidRequest,
                        "there is no client or connector named {name}"
                    )
                    .into())
                }
            },
            // The dispatcher sends only these commands here.
            _ => {}
        }
        Ok(Vec::new())
    }
}
