//! Prints, for every query of a TSV (first column), the whole ranking (ids
//! and exact score bits), the result count and the category counts, so two
//! builds of doum can be compared byte for byte: run each build on its own
//! fresh INDEX_DIR (an index left by the other build would be reused) and
//! `cmp` the outputs. Above 1,000 matches counts are estimated from a sample
//! of documents, and the two indexing threads hand over documents in an order
//! that varies from build to build, so on a large corpus compare the ranked
//! ids and scores, not the lines after `estimated`.
//!
//! `cargo run --release --example rank_dump -- CONTENT_DIR INDEX_DIR QUERIES.tsv...`
//! (the Korean dictionary is cached in `INDEX_DIR/dictionary`, or in `DOUM_DICT_DIR`).

use std::path::PathBuf;

use doum::config::{Paths, load_analyzer, load_content};
use doum::search::{SearchRequest, ensure_index, eval};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [content, index, files @ ..] = args.as_slice() else {
        anyhow::bail!("usage: rank_dump CONTENT_DIR INDEX_DIR QUERIES.tsv...");
    };
    let paths = Paths::new(PathBuf::from(content), PathBuf::from(index))
        .with_dictionary(std::env::var_os("DOUM_DICT_DIR").map(PathBuf::from));
    let analyzer = load_analyzer(&paths.dictionary, &mut |s| eprintln!("{s}"))?;
    let content = load_content(&paths.content)?;
    let engine = ensure_index(&paths.index, content, analyzer, None, &mut |_, _| {})?;
    for file in files {
        for q in eval::read_queries(std::path::Path::new(file))? {
            let ranked = engine.rank(&q.query)?;
            println!("Q {}\t{} ranked", q.query, ranked.len());
            for r in &ranked {
                println!("  {} {:08x}", r.entry.id, r.score.to_bits());
            }
            for size in [10, 50] {
                let req = SearchRequest::new(&q.query)?.size(size)?;
                let res = engine.search(&req)?;
                println!("  total {} size {size}", res.total);
                if res.estimated {
                    println!("  estimated");
                }
                for c in &res.categories {
                    println!("  cat {} {}", c.path, c.count);
                }
                for h in &res.hits {
                    println!("  hit {} {:08x} {:?}", h.id, h.score.to_bits(), h.snippet);
                }
            }
            let cat = ranked.first().map(|r| r.entry.category.joined());
            if let Some(cat) = cat {
                let req = SearchRequest::new(&q.query)?.category(Some(&cat))?;
                let res = engine.search(&req)?;
                println!("  filtered {cat} total {}", res.total);
                for h in &res.hits {
                    println!("  fhit {} {:08x}", h.id, h.score.to_bits());
                }
                let req = SearchRequest::new(&q.query)?.sort(doum::search::Sort::Updated);
                let res = engine.search(&req)?;
                for h in &res.hits {
                    println!("  uhit {} {:08x}", h.id, h.score.to_bits());
                }
            }
        }
    }
    Ok(())
}
