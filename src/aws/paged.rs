//! Requests that take a bounded number of ids ([`in_chunks`]), and calls that answer in pages
//! the SDK offers no paginator for ([`all_pages`]).

use std::future::Future;

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};

use super::call::call;
use crate::aws::error::Result;

/// What `describe` returns for `ids`, sent for `chunk` ids at a time, one chunk after the
/// other.
pub async fn in_chunks<T, F, Fut>(ids: &[String], chunk: usize, mut describe: F) -> Result<Vec<T>>
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Vec<T>>>,
{
    let mut out = Vec::new();
    for c in ids.chunks(chunk) {
        out.extend(describe(c.to_vec()).await?);
    }
    Ok(out)
}

/// Every item of a call answered in pages: `page` builds and sends the request for a page
/// given the `NextToken` of the one before (none for the first), each sent by [`call`];
/// `items` takes a page's items and `next` its `NextToken`.
pub async fn all_pages<P, T, F, Fut, E, R>(
    mut page: F,
    items: impl Fn(&P) -> &[T],
    next: impl Fn(&P) -> Option<&str>,
) -> Result<Vec<T>>
where
    T: Clone,
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<P, SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let answer = call(|| page(token.clone())).await?;
        out.extend(items(&answer).iter().cloned());
        token = next(&answer).map(String::from);
        if token.is_none() {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn chunks_are_described_in_order() {
        let ids: Vec<String> = (0..5).map(|i| i.to_string()).collect();
        let mut sizes = Vec::new();
        let found = in_chunks(&ids, 2, |chunk| {
            sizes.push(chunk.len());
            async move { Ok(chunk) }
        })
        .await
        .unwrap();
        assert_eq!(found, ids);
        assert_eq!(sizes, [2, 2, 1]);
    }
}
