//! The public root: what a tenant's public site and a price estimator need, by
//! tenant slug and without signing in — `tenant`, `units`, `unit`, `quote`,
//! `availability`, `slots`.

use async_graphql::{Context, ID, Object, Result};
use berth_core::Engine;
use berth_core::ids::{TenantId, UnitId};
use berth_core::user::Role;
use berth_core::{ErrorCode, engine::AvailabilityRequest, engine::QuoteRequest};

use crate::access::require;
use crate::error::{OrGraphql, coded};
use crate::scalars::Date;
use crate::types::{AvailabilityInput, Quote, QuoteInput, Slot, Tenant, Unit, party};

/// Public queries.
#[derive(Default, Debug)]
pub struct PublicQuery;

fn engine<'a>(ctx: &'a Context<'_>) -> &'a Engine {
    ctx.data_unchecked::<Engine>()
}

/// The tenant with `slug`, or NOT_FOUND.
pub(crate) async fn tenant_id(ctx: &Context<'_>, slug: &str) -> Result<TenantId> {
    let not_found = || coded(ErrorCode::NotFound, format!("tenant `{slug}` not found"));
    let slug = slug.parse().map_err(|_| not_found())?;
    let tenant = engine(ctx)
        .store()
        .tenant_by_slug(&slug)
        .await
        .map_err(|e| crate::error::from_engine(e.into()))?;
    tenant.map(|t| t.id).ok_or_else(not_found)
}

pub(crate) fn unit_id(id: &ID) -> Result<UnitId> {
    id.parse().map_err(|_| {
        coded(
            ErrorCode::InvalidInput,
            format!("`{}` is not a unit id", id.as_str()),
        )
    })
}

/// The tenant a catalog query is about, and whether archived units may be
/// shown: by slug on the public side (never archived ones); without a slug the
/// signed-in user's tenant (viewer role or higher).
async fn catalog_tenant(ctx: &Context<'_>, slug: Option<String>) -> Result<(TenantId, bool)> {
    match slug {
        Some(slug) => Ok((tenant_id(ctx, &slug).await?, false)),
        None => Ok((require(ctx, Role::Viewer).await?.tenant_id, true)),
    }
}

pub use crate::cost::EXPENSIVE_FIELD_COST;

#[Object]
impl PublicQuery {
    /// A tenant's public profile.
    async fn tenant(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Tenant>> {
        let Ok(slug) = slug.parse() else {
            return Ok(None);
        };
        let tenant = engine(ctx)
            .store()
            .tenant_by_slug(&slug)
            .await
            .map_err(|e| crate::error::from_engine(e.into()))?;
        Ok(tenant.map(Into::into))
    }

    /// A tenant's bookable units in creation order. With `tenant` (a slug) the
    /// public catalog; without it the signed-in user's tenant, archived units
    /// included on request.
    async fn units(
        &self,
        ctx: &Context<'_>,
        tenant: Option<String>,
        #[graphql(default)] include_archived: bool,
    ) -> Result<Vec<Unit>> {
        let (tenant, may_see_archived) = catalog_tenant(ctx, tenant).await?;
        let units = engine(ctx)
            .store()
            .units(tenant, include_archived && may_see_archived)
            .await
            .map_err(|e| crate::error::from_engine(e.into()))?;
        Ok(units.into_iter().map(Into::into).collect())
    }

    /// One unit: of the tenant named by slug (public, archived ones are NOT_FOUND)
    /// or, without a slug, of the signed-in user's tenant.
    async fn unit(&self, ctx: &Context<'_>, tenant: Option<String>, id: ID) -> Result<Unit> {
        let (tenant, may_see_archived) = catalog_tenant(ctx, tenant).await?;
        let unit = engine(ctx)
            .store()
            .unit(tenant, unit_id(&id)?)
            .await
            .map_err(|e| crate::error::from_engine(e.into()))?;
        unit.filter(|u| may_see_archived || !u.archived)
            .map(Into::into)
            .ok_or_else(|| crate::ids::not_found("unit", &id))
    }

    /// Whether and for how much one unit can be booked for a period.
    #[graphql(complexity = "EXPENSIVE_FIELD_COST + child_complexity")]
    async fn quote(&self, ctx: &Context<'_>, tenant: String, input: QuoteInput) -> Result<Quote> {
        let tenant = tenant_id(ctx, &tenant).await?;
        let request = QuoteRequest {
            unit_id: unit_id(&input.unit_id)?,
            period: input.period.parse()?,
            party: party(input.guests, input.quantity)?,
        };
        Ok(engine(ctx).quote(tenant, request).await.gql()?.into())
    }

    /// Every unit of the tenant for one period, with prices: the search of a
    /// public site. Costs 100 points and, past 100 units, one per unit: one
    /// request searches at most about 1,900 units.
    #[graphql(complexity = "EXPENSIVE_FIELD_COST + child_complexity")]
    async fn availability(
        &self,
        ctx: &Context<'_>,
        tenant: String,
        input: AvailabilityInput,
    ) -> Result<Vec<Quote>> {
        let tenant = tenant_id(ctx, &tenant).await?;
        let request = AvailabilityRequest {
            period: input.period.parse()?,
            party: party(input.guests, input.quantity)?,
        };
        // The search runs the policy over every unit: charged by the tenant's
        // size before it runs (cost.rs).
        let units = engine(ctx)
            .store()
            .units(tenant, false)
            .await
            .map_err(|e| crate::error::from_engine(e.into()))?
            .len();
        let points = units
            .saturating_mul(crate::cost::POINTS_PER_UNIT)
            .saturating_sub(EXPENSIVE_FIELD_COST);
        crate::cost::charge(ctx, points, &format!("availability over {units} units"))?;
        let quotes = engine(ctx).availability(tenant, request).await.gql()?;
        Ok(quotes.into_iter().map(Into::into).collect())
    }

    /// The time slots of a unit on a tenant-local date, with free seats.
    #[graphql(complexity = "EXPENSIVE_FIELD_COST + child_complexity")]
    async fn slots(
        &self,
        ctx: &Context<'_>,
        tenant: String,
        unit_id: ID,
        date: Date,
    ) -> Result<Vec<Slot>> {
        let tenant = tenant_id(ctx, &tenant).await?;
        let slots = engine(ctx)
            .slots(tenant, self::unit_id(&unit_id)?, date.0)
            .await
            .gql()?;
        Ok(slots.into_iter().map(Into::into).collect())
    }
}
