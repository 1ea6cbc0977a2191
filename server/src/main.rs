//! The `berth` binary: parses the command line (`cli/`) and runs the command —
//! `serve` (`serve.rs`: the wiring of configuration, store, tenants
//! (`tenants/`), workers (`workers/`), HTTP router (`http/`) and shutdown) or
//! one of the others (`cli/`). Library crates return typed errors; the binary
//! is the one place that turns them into `anyhow` reports and exit codes.

mod allocator;
mod cli;
mod http;
mod locale;
mod secret;
mod serve;
mod shutdown;
mod telemetry;
mod tenants;
mod workers;

use std::process::ExitCode;

use clap::Parser;

use berth_policy::config::ModelKind;

use crate::cli::{Cli, Command, PolicyCommand, SchemaCommand, TenantCommand, UserCommand};

fn main() -> ExitCode {
    allocator::tune();
    let cli = Cli::parse();
    telemetry::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::serve(*args).await.map(|()| true),
            Command::Migrate(args) => cli::migrate(args).await.map(|()| true),
            Command::Healthcheck(args) => cli::healthcheck::run(&args),
            Command::Policy(PolicyCommand::Check(args)) => {
                cli::policy::check(args.dirs, &args.tenants)
            }
            Command::Policy(PolicyCommand::Test(args)) => {
                cli::policy::test(args.dirs.dirs, &args.dirs.tenants, args.accept)
            }
            Command::Policy(PolicyCommand::Plan(args)) => cli::plan::plan(args).await,
            Command::Policy(PolicyCommand::Publish {
                dir,
                accept_refusals,
                database,
            }) => cli::versions::publish(dir, accept_refusals, database).await,
            Command::Policy(PolicyCommand::History { slug, database }) => {
                cli::versions::history(&slug, database).await.map(|()| true)
            }
            Command::Policy(PolicyCommand::Rollback {
                slug,
                to,
                accept_refusals,
                tenants,
                database,
            }) => cli::versions::rollback(&slug, to, accept_refusals, &tenants, database).await,
            Command::Schema(SchemaCommand::Policy { file }) => {
                cli::policy::print_schema(file).map(|()| true)
            }
            Command::User(UserCommand::Add {
                database,
                tenant,
                email,
                role,
            }) => cli::add_user(database, &tenant, &email, &role)
                .await
                .map(|()| true),
            Command::User(UserCommand::List { database, tenant }) => {
                cli::list_users(database, &tenant).await.map(|()| true)
            }
            Command::User(UserCommand::Password { database, user }) => {
                cli::change_user(database, user, cli::UserChange::Password)
                    .await
                    .map(|()| true)
            }
            Command::User(UserCommand::Disable { database, user }) => {
                cli::change_user(database, user, cli::UserChange::Disable)
                    .await
                    .map(|()| true)
            }
            Command::User(UserCommand::Enable { database, user }) => {
                cli::change_user(database, user, cli::UserChange::Enable)
                    .await
                    .map(|()| true)
            }
            Command::Schema(SchemaCommand::Routes) => {
                println!("{}", http::routes::table_json());
                Ok(true)
            }
            Command::Schema(SchemaCommand::Graphql) => {
                print!("{}", berth_graphql::sdl());
                Ok(true)
            }
            Command::Tenant(TenantCommand::Init {
                slug,
                model,
                tenants,
            }) => {
                let model = match model.as_str() {
                    "timeslot" => ModelKind::Timeslot,
                    "interval" => ModelKind::Interval,
                    _ => ModelKind::Nightly,
                };
                cli::policy::init(&slug, model, &tenants).map(|()| true)
            }
        }
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
