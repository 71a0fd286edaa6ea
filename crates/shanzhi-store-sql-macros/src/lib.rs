//! `#[sql_bounds]`: the sqlx bounds that every piece of SQL generic over the
//! database (`DB`) needs, written once. Rust does not carry `where` clauses
//! about other types (`String: Encode<'q, DB>`) from a trait to its users, so
//! no trait alias can hold them; this attribute appends them to the `where`
//! clause of the `impl<DB>` block or `fn …<DB>` it is put on. Put it first,
//! above `#[async_trait]`.

use proc_macro::TokenStream;
use quote::quote;
use syn::{Generics, Item, WherePredicate, parse_macro_input, parse_quote};

fn bounds() -> Vec<WherePredicate> {
    vec![
        parse_quote!(DB: crate::Dialect),
        parse_quote!(for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>),
        parse_quote!(for<'c> &'c mut <DB as sqlx::Database>::Connection: sqlx::Executor<'c, Database = DB>),
        parse_quote!(<DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>),
        parse_quote!(for<'q> String: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>),
        parse_quote!(for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>),
        parse_quote!(for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>),
        parse_quote!(for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>),
        parse_quote!(for<'q> f64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>),
        parse_quote!(for<'q> Option<f64>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>),
        parse_quote!(for<'q> Vec<u8>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>),
        parse_quote!(usize: sqlx::ColumnIndex<<DB as sqlx::Database>::Row>),
        parse_quote!(for<'r> &'r str: sqlx::ColumnIndex<<DB as sqlx::Database>::Row>),
    ]
}

fn add(generics: &mut Generics) {
    generics.make_where_clause().predicates.extend(bounds());
}

#[proc_macro_attribute]
pub fn sql_bounds(_args: TokenStream, item: TokenStream) -> TokenStream {
    let mut item = parse_macro_input!(item as Item);
    match &mut item {
        Item::Impl(i) => add(&mut i.generics),
        Item::Fn(f) => add(&mut f.sig.generics),
        other => {
            return syn::Error::new_spanned(other, "#[sql_bounds] goes on an `impl<DB>` block or a `fn …<DB>`")
                .to_compile_error()
                .into();
        }
    }
    quote!(#item).into()
}

/// `#[derive(SqlRow)]`: `sqlx::FromRow` for a struct of plain column values,
/// each field read by its name (`id` from the column `id`), so a query's
/// column order can change without a row being misread. A field marked
/// `#[sql_row(flatten)]` is itself a row read from the same columns, so rows
/// that extend another (an event with its matter's number) share its fields.
#[proc_macro_derive(SqlRow, attributes(sql_row))]
pub fn sql_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as syn::DeriveInput);
    let name = &input.ident;
    let syn::Data::Struct(syn::DataStruct { fields: syn::Fields::Named(fields), .. }) = &input.data else {
        return syn::Error::new_spanned(name, "#[derive(SqlRow)] takes a struct with named fields")
            .to_compile_error()
            .into();
    };
    let mut reads = Vec::new();
    let mut bounds = Vec::new();
    for field in &fields.named {
        let (Some(ident), ty) = (&field.ident, &field.ty) else { continue };
        let flatten = match flattened(field) {
            Ok(f) => f,
            Err(e) => return e.to_compile_error().into(),
        };
        if flatten {
            reads.push(quote!(#ident: <#ty as sqlx::FromRow<'r, R>>::from_row(row)?));
            bounds.push(quote!(#ty: sqlx::FromRow<'r, R>));
        } else {
            let column = ident.to_string();
            reads.push(quote!(#ident: sqlx::Row::try_get::<#ty, _>(row, #column)?));
            bounds.push(
                quote!(#ty: sqlx::Decode<'r, <R as sqlx::Row>::Database> + sqlx::Type<<R as sqlx::Row>::Database>),
            );
        }
    }
    quote! {
        impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for #name
        where
            &'r str: sqlx::ColumnIndex<R>,
            #(#bounds,)*
        {
            fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
                Ok(#name { #(#reads,)* })
            }
        }
    }
    .into()
}

/// Whether a field carries `#[sql_row(flatten)]` (the one option there is).
fn flattened(field: &syn::Field) -> syn::Result<bool> {
    let mut flatten = false;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("sql_row")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("flatten") {
                flatten = true;
                Ok(())
            } else {
                Err(meta.error("#[sql_row(…)] knows only `flatten`"))
            }
        })?;
    }
    Ok(flatten)
}
