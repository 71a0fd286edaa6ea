//! Photos, stored in the database with their matter.

use async_trait::async_trait;
use shanzhi_domain::MatterId;
use shanzhi_store::{AttachmentRecord, AttachmentStore, StoreResult};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use super::rows::corrupt;
use crate::fragments::push_list;
use crate::{SqlStore, map_err};

#[derive(SqlRow)]
struct AttachmentRow {
    id: String,
    matter_id: Option<String>,
    uploaded_by: String,
    content_type: String,
    size: i64,
    sha256: String,
    created_at: i64,
    data: Vec<u8>,
}

#[derive(SqlRow)]
struct OwnedRow {
    matter_id: String,
    id: String,
}

#[derive(SqlRow)]
struct CountRow {
    n: i64,
}

#[sql_bounds]
#[async_trait]
impl<DB> AttachmentStore for SqlStore<DB> {
    async fn put_attachment(&self, a: &AttachmentRecord, data: &[u8]) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO attachments (id, matter_id, uploaded_by, content_type, size, sha256, data, created_at) ",
        );
        q.push_values([a], |mut v, a| {
            v.push_bind(a.id.clone())
                .push_bind(a.matter_id.as_ref().map(|m| m.as_str().to_owned()))
                .push_bind(a.uploaded_by.clone())
                .push_bind(a.content_type.clone())
                .push_bind(a.size)
                .push_bind(a.sha256.clone())
                .push_bind(data.to_vec())
                .push_bind(a.created_at.get());
        });
        self.execute(&mut q).await
    }

    async fn attachment(&self, id: &str) -> StoreResult<Option<(AttachmentRecord, Vec<u8>)>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT id, matter_id, uploaded_by, content_type, size, sha256, created_at, data FROM attachments WHERE id = ",
        );
        q.push_bind(id.to_owned());
        let Some(r) = q.build_query_as::<AttachmentRow>().fetch_optional(self.pool()).await.map_err(map_err)? else {
            return Ok(None);
        };
        let record = AttachmentRecord {
            id: r.id,
            matter_id: r.matter_id.as_deref().map(MatterId::parse).transpose().map_err(corrupt)?,
            uploaded_by: r.uploaded_by,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            created_at: r.created_at.into(),
        };
        Ok(Some((record, r.data)))
    }

    async fn attachment_ids(&self, matter_ids: &[MatterId]) -> StoreResult<Vec<(MatterId, String)>> {
        let mut out = Vec::new();
        for chunk in matter_ids.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new("SELECT matter_id, id FROM attachments WHERE matter_id IN ");
            push_list(&mut q, chunk.iter().map(|id| id.as_str().to_owned()));
            q.push(" ORDER BY created_at, id");
            for r in q.build_query_as::<OwnedRow>().fetch_all(self.pool()).await.map_err(map_err)? {
                out.push((MatterId::parse(&r.matter_id).map_err(corrupt)?, r.id));
            }
        }
        Ok(out)
    }

    async fn bind_attachments(&self, ids: &[String], matter_id: &MatterId, uploaded_by: &str) -> StoreResult<usize> {
        if ids.is_empty() {
            return Ok(0);
        }
        let (_writer, mut tx) = self.begin_write().await?;
        let mut count =
            QueryBuilder::<DB>::new("SELECT COUNT(*) AS n FROM attachments WHERE matter_id IS NULL AND uploaded_by = ");
        count.push_bind(uploaded_by.to_owned()).push(" AND id IN ");
        push_list(&mut count, ids.iter().cloned());
        let n = count.build_query_as::<CountRow>().fetch_one(&mut *tx).await.map_err(map_err)?.n;
        let mut q = QueryBuilder::<DB>::new("UPDATE attachments SET matter_id = ");
        q.push_bind(matter_id.as_str().to_owned())
            .push(" WHERE matter_id IS NULL AND uploaded_by = ")
            .push_bind(uploaded_by.to_owned());
        q.push(" AND id IN ");
        push_list(&mut q, ids.iter().cloned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}
