//! Sending one AWS request the way almost every call of the resource types sends it.

use std::future::Future;

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};

use super::error::{from_sdk, retry, RetryPolicy};
use crate::aws::error::Result;

/// Sends the request that `request` builds (`|| clients.ec2.delete_vpc().vpc_id(&id).send()`,
/// or a paginator's `.items().send().try_collect()`), with the [`retry`] of the default
/// [`RetryPolicy`], and turns the SDK's error into an [`ApiError`]. The closure builds the
/// request anew for each attempt.
pub async fn call<T, E, R, F, Fut>(mut request: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    retry(RetryPolicy::default(), || {
        let sent = request();
        async move { sent.await.map_err(from_sdk) }
    })
    .await
}
