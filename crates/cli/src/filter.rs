//! `postroom filter ...`: the content filter's allow and block lists and what its
//! classifiers have learned, through the management API (`engine::api::filter`).

use clap::Subcommand;
use engine::ApiError;
use engine::admin::AdminContext;
use engine::api::filter::SenderListDto;

#[derive(Subcommand)]
pub enum FilterAction {
    /// Never treat mail from a sender address or domain as spam.
    Allow {
        /// A sender address (a@shop.example) or domain (shop.example).
        sender: String,
        /// The account (address) or local domain whose list it goes on.
        #[arg(long = "for")]
        owner: String,
    },
    /// Send mail from a sender address or domain to Junk (or refuse it, with
    /// `[filter] block_rejects`).
    Block {
        sender: String,
        #[arg(long = "for")]
        owner: String,
    },
    /// Take a sender off an allow or block list.
    Unlist {
        sender: String,
        #[arg(long = "for")]
        owner: String,
    },
    /// Every allow and block list entry.
    Lists,
    /// What each Bayesian classifier has learned from moves into and out of Junk.
    Classifiers,
}

pub async fn run(admin: &AdminContext, action: FilterAction) -> Result<(), ApiError> {
    let (sender, owner, verb) = match action {
        FilterAction::Allow { sender, owner } => (sender, owner, "allow"),
        FilterAction::Block { sender, owner } => (sender, owner, "block"),
        FilterAction::Unlist { sender, owner } => {
            admin.remove_sender_list(&owner, &sender).await?;
            println!("removed {sender} from the lists of {owner}");
            return Ok(());
        }
        FilterAction::Lists => {
            for e in admin.sender_lists().await? {
                println!("{} {} {}", e.owner, e.action, e.pattern);
            }
            return Ok(());
        }
        FilterAction::Classifiers => {
            for c in admin.classifiers().await? {
                println!(
                    "{} {}: {} spam, {} ham, {} tokens",
                    c.kind, c.owner, c.spam, c.ham, c.tokens
                );
            }
            return Ok(());
        }
    };
    admin
        .set_sender_list(SenderListDto {
            owner: owner.clone(),
            pattern: sender.clone(),
            action: verb.to_string(),
            for_domain: false,
        })
        .await?;
    println!("{verb} {sender} for {owner}");
    Ok(())
}
