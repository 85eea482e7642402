"""The comments ``custfocus init --lang es|pt`` writes into custfocus.toml.

English comes from the settings' own help (:data:`custfocus.config.SETTINGS`, shown by
``--help`` too); this module holds only the Spanish and Portuguese of the same texts, by
setting key, so a person who reads the toml in their language sees every line in it.
"""

from __future__ import annotations

# fmt: off
HEADER = {
    "es": ["# Ajustes del espacio de trabajo de custfocus (custfocus init). Gana lo último:",
           "# estos valores por defecto -> este archivo -> entorno CUSTFOCUS_* -> opciones.",
           "# Las líneas que empiezan por '#' muestran un ajuste con su valor por defecto."],
    "pt": ["# Configurações do espaço de trabalho do custfocus (custfocus init). Vale o último:",
           "# estes valores padrão -> este arquivo -> ambiente CUSTFOCUS_* -> opções.",
           "# As linhas que começam com '#' mostram uma configuração com seu valor padrão."],
}
ENV = {"en": "env", "es": "variable", "pt": "variável"}
SOURCES_INTRO = {
    "es": ["# Una tabla por archivo encontrado; la clave también puede ser un patrón",
           "# (\"ventas_*.csv\") o \"archivo.xlsx#Hoja\". Ajustes: "],
    "pt": ["# Uma tabela por arquivo encontrado; a chave também pode ser um padrão",
           "# (\"vendas_*.csv\") ou \"arquivo.xlsx#Aba\". Configurações: "],
}
SEGMENT_INTRO = {"es": "# Segmentos de valor x necesidad (custfocus segment)",
                 "pt": "# Segmentos de valor x necessidade (custfocus segment)"}

HELP: dict[str, dict[str, str]] = {
    "run.paths": {"es": "archivos, carpetas o patrones que importa `custfocus run`",
                  "pt": "arquivos, pastas ou padrões que `custfocus run` importa"},
    "run.db": {"es": "el almacén del espacio de trabajo (un archivo DuckDB)",
               "pt": "o banco do espaço de trabalho (um arquivo DuckDB)"},
    "run.lang": {"es": "idioma de los informes: es, pt o en",
                 "pt": "idioma dos relatórios: es, pt ou en"},
    "run.as_of": {"es": "fecha de referencia de segmentos y auditoría: \"data\" (la última "
                        "operación, así los mismos archivos dan las mismas cifras), \"today\" o "
                        "AAAA-MM-DD",
                  "pt": "data de referência de segmentos e auditoria: \"data\" (a última "
                        "operação, assim os mesmos arquivos dão os mesmos números), \"today\" ou "
                        "AAAA-MM-DD"},
    "run.log": {"es": "archivo de registro, una línea JSON por paso (sin datos personales); "
                      "\"\" para ninguno",
                "pt": "arquivo de log, uma linha JSON por etapa (sem dados pessoais); "
                      "\"\" para nenhum"},
    "run.fail_on": {"es": "umbrales de la auditoría que hacen salir a `custfocus run` con 1, "
                          "p. ej. [\"duplicate_rate>0.05\"]",
                    "pt": "limites da auditoria que fazem `custfocus run` sair com 1, "
                          "p. ex. [\"duplicate_rate>0.05\"]"},
    "import.strict": {
        "es": "salir con 3, sin guardar nada, cuando un archivo tiene filas rechazadas o ninguna "
              "fila con nombre, identificador o importe (`custfocus import --strict`)",
        "pt": "sair com 3, sem gravar nada, quando um arquivo tem linhas rejeitadas ou nenhuma "
              "linha com nome, identificador ou valor (`custfocus import --strict`)"},
    "match.match_threshold": {
        "es": "probabilidad desde la que se unen dos registros (las probabilidades del modelo "
              "están calibradas: 0.5 une lo que más probablemente es un cliente que dos; "
              "súbala para unir solo los pares más seguros y revisar el resto)",
        "pt": "probabilidade a partir da qual dois registros são unidos (as probabilidades do "
              "modelo são calibradas: 0.5 une o que mais provavelmente é um cliente do que dois; "
              "aumente-a para unir só os pares mais seguros e revisar o resto)"},
    "match.review_threshold": {"es": "probabilidad desde la que un par se lista para revisar",
                               "pt": "probabilidade a partir da qual um par vai para revisão"},
    "match.max_records": {"es": "máximo de registros que puede tener un cliente",
                          "pt": "máximo de registros que um cliente pode ter"},
    "match.survivorship": {
        "es": "cómo se eligen los valores maestros: recent (el más actualizado), frequent (en "
              "el que coinciden más registros) o source_priority",
        "pt": "como os valores mestres são escolhidos: recent (o mais atualizado), frequent (o "
              "que mais registros têm) ou source_priority"},
    "match.source_priority": {
        "es": "fuentes en las que confiar primero con survivorship = \"source_priority\" "
              "(prefijos de nombre)",
        "pt": "fontes em que confiar primeiro com survivorship = \"source_priority\" "
              "(prefixos de nome)"},
    "match.engine": {
        "es": "dónde una ejecución completa agrupa, compara y puntúa: embedded (esta máquina) "
              "o spark (Apache Spark, `pip install 'custfocus[spark]'` y Java)",
        "pt": "onde uma execução completa agrupa, compara e pontua: embedded (esta máquina) "
              "ou spark (Apache Spark, `pip install 'custfocus[spark]'` e Java)"},
    "match.spark_master": {
        "es": "el master de Spark con engine = \"spark\": local[*], spark://host:7077, yarn, "
              "k8s://https://host o sc://host:15002 (Spark Connect)",
        "pt": "o master do Spark com engine = \"spark\": local[*], spark://host:7077, yarn, "
              "k8s://https://host ou sc://host:15002 (Spark Connect)"},
    "match.spark_workdir": {
        "es": "una carpeta que esta máquina y cada ejecutor de Spark alcanzan (s3://..., "
              "gs://..., un montaje compartido) por la que pasan nodos y pares; \"\": una "
              "carpeta temporal aquí (solo local[*])",
        "pt": "uma pasta que esta máquina e cada executor do Spark alcançam (s3://..., "
              "gs://..., uma montagem compartilhada) por onde passam nós e pares; \"\": uma "
              "pasta temporária aqui (só local[*])"},
    "outputs.dir": {"es": "carpeta donde `custfocus run` escribe sus resultados",
                    "pt": "pasta onde `custfocus run` grava seus resultados"},
    "outputs.report": {"es": "escribir report.html: auditoría, segmentos y tendencias en una "
                             "página",
                       "pt": "gravar report.html: auditoria, segmentos e tendências em uma "
                             "página"},
    "outputs.audit": {"es": "archivos de auditoría a escribir: json, markdown, html, xlsx",
                      "pt": "arquivos de auditoria a gravar: json, markdown, html, xlsx"},
    "outputs.exports": {"es": "tablas a exportar: master, xref, clusters, pairs, segments",
                        "pt": "tabelas a exportar: master, xref, clusters, pairs, segments"},
    "outputs.formats": {"es": "formatos de las exportaciones: csv, xlsx, parquet, json",
                        "pt": "formatos das exportações: csv, xlsx, parquet, json"},
    "outputs.mask": {"es": "enmascarar los datos personales en las exportaciones, los archivos "
                           "de auditoría y report.html (j***@gmail.com, +34 6** *** 678, "
                           "nombres como iniciales), como hace --mask",
                     "pt": "mascarar os dados pessoais nas exportações, nos arquivos de "
                           "auditoria e no report.html (j***@gmail.com, +34 6** *** 678, "
                           "nomes como iniciais), como faz --mask"},
    "outputs.postgres": {"es": "PostgreSQL donde actualizar master, xref y segments tras cada "
                                "ejecución (las de outputs.exports), p. ej. "
                                "\"postgresql://crm@db.example.org/crm\"; la contraseña, mejor "
                                "en PGPASSWORD o ~/.pgpass; \"\" para ninguno",
                         "pt": "PostgreSQL onde atualizar master, xref e segments após cada "
                               "execução (as de outputs.exports), p. ex. "
                               "\"postgresql://crm@db.example.org/crm\"; a senha, melhor em "
                               "PGPASSWORD ou ~/.pgpass; \"\" para nenhum"},
    # [sources."file"]
    "unit": {"es": "unidad de negocio de la fuente (por defecto: del nombre del archivo)",
             "pt": "unidade de negócio da fonte (padrão: do nome do arquivo)"},
    "region": {"es": "país por defecto de teléfonos y documentos (ES, BR, MX...)",
               "pt": "país padrão de telefones e documentos (ES, BR, MX...)"},
    "map": {"es": "papel de cada columna: { \"CABECERA\" = \"papel\" }",
            "pt": "papel de cada coluna: { \"CABEÇALHO\" = \"papel\" }"},
    "name": {"es": "nombre de la fuente que se guarda en vez del nombre del archivo "
                   "(custfocus run)",
             "pt": "nome da fonte gravado no lugar do nome do arquivo (custfocus run)"},
    "mode": {"es": "\"full\" (una exportación nueva sustituye a la anterior) o \"append\" "
                   "(custfocus run)",
             "pt": "\"full\" (uma exportação nova substitui a anterior) ou \"append\" "
                   "(custfocus run)"},
    # [segment]
    "high_value_share": {"es": "parte de los compradores con mayor puntuación de valor que es "
                               "\"valor alto\"",
                         "pt": "parte dos compradores com maior pontuação de valor que é "
                               "\"valor alto\""},
    "high_need_score": {"es": "puntuación de necesidad (0-100) desde la que es \"alta\"",
                        "pt": "pontuação de necessidade (0-100) a partir da qual é \"alta\""},
    "lapsed_days": {"es": "días sin comprar tras los que un cliente se da por perdido",
                    "pt": "dias sem comprar após os quais um cliente é dado como perdido"},
    "win_back_min_value": {"es": "percentil de ingresos desde el que merece la pena recuperar "
                                 "a un cliente perdido",
                           "pt": "percentil de receita a partir do qual vale a pena reconquistar "
                                 "um cliente perdido"},
    "new_customer_days": {"es": "una primera compra así de reciente es señal de crecimiento",
                          "pt": "uma primeira compra tão recente é sinal de crescimento"},
    "period_days": {"es": "ventana de los indicadores: los últimos N días hasta la fecha de "
                          "referencia",
                    "pt": "janela dos indicadores: os últimos N dias até a data de referência"},
    "recent_days": {"es": "ventana del ritmo de compra reciente, comparado con el anterior",
                    "pt": "janela do ritmo de compra recente, comparado com o anterior"},
    "overdue_factor": {"es": "compra atrasada cuando los días sin comprar superan este factor "
                             "por su propio ciclo de compra",
                       "pt": "compra atrasada quando os dias sem comprar passam deste fator "
                             "vezes o próprio ciclo de compra"},
    "low_p_alive": {"es": "probabilidad de seguir activo (BG/NBD) por debajo de la cual un "
                          "comprador recurrente está en riesgo",
                    "pt": "probabilidade de seguir ativo (BG/NBD) abaixo da qual um comprador "
                          "recorrente está em risco"},
    "low_satisfaction": {"es": "satisfacción (parte de su escala) por debajo de la cual es baja",
                         "pt": "satisfação (parte da sua escala) abaixo da qual é baixa"},
    "max_amount": {"es": "los importes mayores se tratan como errores y se dejan fuera",
                   "pt": "valores maiores são tratados como erros e deixados de fora"},
    "horizon_months": {"es": "horizonte del valor de vida, en meses",
                       "pt": "horizonte do valor vitalício, em meses"},
    "discount_rate": {"es": "tasa de descuento anual del valor de vida",
                      "pt": "taxa de desconto anual do valor vitalício"},
    "time_unit_days": {"es": "unidad de tiempo del modelo BG/NBD, en días",
                       "pt": "unidade de tempo do modelo BG/NBD, em dias"},
    "main_currency": {"es": "moneda de las cifras de valor (por defecto: la de más compras)",
                      "pt": "moeda dos valores (padrão: a com mais compras)"},
    "cross_sell_min_share": {"es": "parte de los compradores de una línea que también compran "
                                   "una sugerencia",
                             "pt": "parte dos compradores de uma linha que também compram uma "
                                   "sugestão"},
    "cross_sell_max": {"es": "máximo de sugerencias de venta cruzada por cliente",
                       "pt": "máximo de sugestões de venda cruzada por cliente"},
    "need_weights": {"es": "peso de cada señal de necesidad, p. ej. { open_issues = 25 }",
                     "pt": "peso de cada sinal de necessidade, p. ex. { open_issues = 25 }"},
}
# fmt: on


def help_text(key: str, english: str, lang: str | None) -> str:
    """The comment of one setting in ``lang``; English (the setting's own help) otherwise."""
    return HELP.get(key, {}).get(lang or "en", english)
