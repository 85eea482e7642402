"""Name, street, city and company dictionaries for the synthetic generator.

Every name list is in (approximate) descending real-world frequency order; the
generator turns the rank into a Zipf-like weight, so "María", "García", "José",
"da Silva" come up far more often than the tail. Sources: the published
top-name tables of INE (Spain), INEGI/RENAPO (Mexico) and IBGE (Brazil), from
memory; only the ordering matters here, not exact shares.

All strings must be encodable in cp1252 (the support-desk export uses it).
"""

from __future__ import annotations


def _split(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


# --- given names --------------------------------------------------------------

ES_MALE = _split(
    """Antonio, José, Manuel, Francisco, David, Juan, Javier, José Antonio, Daniel, José Luis,
    Francisco Javier, Carlos, Jesús, Alejandro, Miguel, José Manuel, Rafael, Pedro, Miguel Ángel,
    Ángel, José María, Fernando, Pablo, Luis, Sergio, Jorge, Alberto, Juan Carlos, Juan José,
    Álvaro, Diego, Adrián, Raúl, Juan Antonio, Enrique, Ramón, Iván, Rubén, Vicente, Óscar,
    Andrés, Joaquín, Juan Manuel, Santiago, Eduardo, Víctor, Roberto, Jaime, Francisco José,
    Mario, Ignacio, Alfonso, Salvador, Ricardo, Marcos, Jordi, Emilio, Julián, Julio, Guillermo,
    Gabriel, Tomás, Agustín, José Miguel, Marc, Gonzalo, Félix, José Ramón, Hugo, Lucas, Martín,
    Nicolás, Samuel, Héctor, Cristian, Aitor, Iker, Xavier, Borja, Gregorio, Esteban, Arturo,
    Lorenzo, Mariano, Sebastián, Alfredo, Felipe, Ismael, Mateo, Leo, Bruno, Eric, Unai, Pau,
    Gerard, Ernesto, Benito"""
)
ES_FEMALE = _split(
    """María del Carmen, María, Carmen, Ana María, Laura, María Pilar, María Dolores, Isabel,
    Josefa, María Teresa, Ana, Cristina, Marta, María Ángeles, Lucía, Francisca, María Isabel,
    María José, Antonia, Dolores, Sara, Paula, Elena, María Luisa, Raquel, Rosa María, Pilar,
    Concepción, Manuela, María Jesús, Mercedes, Julia, Beatriz, Nuria, Silvia, Irene, Alba,
    Rosario, Juana, Teresa, Encarnación, Patricia, Montserrat, Andrea, Rocío, Mónica, Rosa,
    Alicia, María del Mar, Sonia, Sandra, Ángela, Marina, Susana, Natalia, Yolanda, Margarita,
    María Josefa, Claudia, Eva, María Rosario, Inmaculada, Sofía, María Mercedes, Carla, Esther,
    Noelia, Verónica, Ángeles, Nerea, Carolina, Inés, Miriam, Eva María, Lorena, Ana Isabel,
    Martina, Daniela, Alejandra, Valeria, Lidia, Gloria, Amparo, Victoria, Celia, Olga, Emilia,
    Clara, Fátima, Catalina, Aurora, Esperanza, Laia, Ainhoa, Blanca, Vanesa"""
)
LATAM_MALE = _split(
    """José Luis, Juan, Miguel Ángel, Jesús, José, Francisco, Alejandro, Luis, Carlos, Jorge,
    Juan Carlos, Pedro, Ricardo, Fernando, Roberto, Eduardo, Daniel, Manuel, Javier, Sergio,
    Santiago, Sebastián, Mateo, Martín, Diego, Andrés, Felipe, Julián, Nicolás, Gustavo, Óscar,
    Raúl, Héctor, Arturo, Armando, Rafael, Ramón, Enrique, Alberto, Mario, Víctor, Hugo,
    Emiliano, Leonardo, Joaquín, Facundo, Agustín, Lautaro, Tomás, Camilo, Cristian,
    Juan Pablo, Juan David, Luis Fernando, Jorge Luis, Gerardo, Salvador, Rodrigo, Emilio,
    Marco Antonio, Jaime, Ignacio, Gabriel, Adrián, Iván"""
)
LATAM_FEMALE = _split(
    """María Guadalupe, María, Guadalupe, Juana, Margarita, Verónica, Leticia, Rosa María,
    Patricia, Elizabeth, Gabriela, Alejandra, Claudia, Adriana, Sofía, Valentina, Camila,
    Isabella, Ximena, Daniela, Mariana, Valeria, Luciana, Martina, Florencia, Agustina, Paula,
    Natalia, Carolina, Andrea, Lorena, Diana, Paola, Sandra, Silvia, Ana María, María José,
    María Fernanda, Luz Marina, Gloria, Marcela, Yolanda, Laura, Mónica, Lucía, Josefina,
    Cecilia, Araceli, Alma, Beatriz, Teresa, Catalina, Renata, Regina, Fernanda"""
)
BR_MALE = _split(
    """José, João, Antônio, Francisco, Carlos, Paulo, Pedro, Lucas, Luiz, Marcos, Luis, Gabriel,
    Rafael, Daniel, Marcelo, Bruno, Eduardo, Felipe, Raimundo, Rodrigo, Manoel, Mateus, André,
    Fernando, Fábio, Leonardo, Gustavo, Guilherme, Leandro, Tiago, Anderson, Ricardo, Márcio,
    Jorge, Sebastião, Alexandre, Roberto, Edson, Diego, Vitor, Sérgio, Cláudio, Matheus, Thiago,
    Geraldo, Adriano, Luciano, Júlio, Renato, Alex, Vinícius, Rogério, Samuel, Ronaldo, Mário,
    Flávio, Igor, Douglas, Davi, Miguel, Arthur, Heitor, Bernardo, Enzo, João Pedro,
    João Victor, João Paulo, José Carlos, Luiz Carlos, Carlos Eduardo, Paulo Henrique,
    Pedro Henrique, Luiz Fernando, João Gabriel"""
)
BR_FEMALE = _split(
    """Maria, Ana, Francisca, Antônia, Adriana, Juliana, Márcia, Fernanda, Patrícia, Aline,
    Sandra, Camila, Amanda, Bruna, Jéssica, Letícia, Júlia, Luciana, Vanessa, Mariana, Gabriela,
    Vera, Vitória, Larissa, Cláudia, Beatriz, Luana, Rita, Sônia, Renata, Eliane, Josefa,
    Simone, Natália, Cristiane, Carla, Débora, Rosângela, Jaqueline, Rosa, Daniela, Aparecida,
    Marlene, Terezinha, Raimunda, Andréa, Fabiana, Lúcia, Raquel, Ângela, Rafaela, Joana, Luzia,
    Alice, Sofia, Helena, Valentina, Laura, Isabella, Manuela, Maria Clara, Ana Paula,
    Maria Eduarda, Ana Clara, Maria Luiza, Ana Beatriz, Maria Aparecida, Maria José,
    Maria de Fátima, Ana Carolina, Maria das Graças"""
)
PT_MALE = _split(
    """João, José, António, Francisco, Manuel, Rui, Pedro, Paulo, Luís, Carlos, Miguel, Tiago,
    Ricardo, Nuno, Bruno, Diogo, Rodrigo, Afonso, Duarte, Tomás, Jorge, Fernando, Vasco,
    Gonçalo, Martim, Santiago, João Pedro, José Manuel, Hugo, André"""
)
PT_FEMALE = _split(
    """Maria, Ana, Beatriz, Mariana, Inês, Sofia, Leonor, Carolina, Margarida, Joana, Catarina,
    Rita, Sara, Marta, Filipa, Teresa, Isabel, Helena, Fernanda, Matilde, Maria João, Ana Rita,
    Maria Clara, Patrícia, Sandra, Cláudia, Susana, Luísa, Madalena, Francisca"""
)
EN_MALE = _split(
    """James, John, David, Michael, Robert, William, Richard, Thomas, Daniel, Mark, Paul, Steven,
    Andrew, Peter, George, Christopher, Matthew, Anthony, Kevin, Brian, Edward, Jack, Oliver,
    Harry, Samuel, Joseph"""
)
EN_FEMALE = _split(
    """Mary, Sarah, Elizabeth, Emma, Patricia, Jennifer, Linda, Susan, Karen, Olivia, Emily,
    Charlotte, Jessica, Helen, Margaret, Lisa, Anne, Laura, Rachel, Amy, Sophie, Hannah, Lucy,
    Victoria, Claire, Kate"""
)

# --- surnames -----------------------------------------------------------------

ES_SURNAMES = _split(
    """García, Rodríguez, González, Fernández, López, Martínez, Sánchez, Pérez, Gómez, Martín,
    Jiménez, Hernández, Ruiz, Díaz, Moreno, Muñoz, Álvarez, Romero, Gutiérrez, Alonso, Navarro,
    Torres, Domínguez, Ramos, Vázquez, Ramírez, Gil, Serrano, Morales, Molina, Blanco, Suárez,
    Castro, Ortega, Delgado, Ortiz, Marín, Rubio, Núñez, Medina, Sanz, Castillo, Iglesias,
    Cortés, Garrido, Santos, Guerrero, Lozano, Cano, Cruz, Méndez, Flores, Prieto, Herrera,
    Peña, León, Márquez, Cabrera, Gallego, Calvo, Vidal, Campos, Reyes, Vega, Fuentes,
    Carrasco, Diez, Aguilar, Caballero, Nieto, Santana, Vargas, Pascual, Giménez, Herrero,
    Hidalgo, Montero, Lorenzo, Santiago, Benítez, Durán, Ibáñez, Arias, Mora, Ferrer, Carmona,
    Vicente, Rojas, Soto, Crespo, Román, Pastor, Velasco, Parra, Sáez, Moya, Bravo, Rivera,
    Gallardo, Soler, Esteban, Pardo, Franco, Espinosa, Bermúdez, Lara, Rivas, Silva, Rico,
    Casado, Mendoza, Manzano, Marcos, Cuesta, Aguirre, Arroyo, Beltrán, Carrillo, Quintana,
    Sierra, Pozo, Luque, Escobar, Palacios, Valero, Otero, Hurtado, Salazar, Ochoa, Etxeberria,
    Puig, Vilà, Ferrándiz"""
)
LATAM_SURNAMES = _split(
    """Hernández, García, Martínez, López, González, Pérez, Rodríguez, Sánchez, Ramírez, Cruz,
    Flores, Gómez, Morales, Vázquez, Reyes, Jiménez, Torres, Díaz, Gutiérrez, Ruiz, Mendoza,
    Aguilar, Ortiz, Moreno, Castillo, Romero, Álvarez, Méndez, Chávez, Rivera, Juárez, Ramos,
    Domínguez, Herrera, Medina, Castro, Vargas, Guzmán, Velázquez, Muñoz, Rojas, Contreras,
    Salazar, Luna, Ortega, Santiago, Guerrero, Estrada, Bautista, Cortés, Soto, Alvarado,
    Espinoza, Lara, Ávila, Ríos, Cervantes, Silva, Delgado, Vega, Márquez, Sandoval, Fernández,
    León, Carrillo, Mejía, Solís, Núñez, Rosas, Valdez, Ibarra, Campos, Santos, Camacho,
    Navarro, Peña, Maldonado, Rosales, Acosta, Miranda, Trejo, Valencia, Nava, Pacheco, Robles,
    Molina, Rangel, Huerta, Fuentes, Sosa, Benítez, Pereyra, Ferreyra, Godoy, Giménez, Rossi,
    Russo, Ferrari, Romano, Bianchi, Ospina, Restrepo, Cardona, Zapata, Quintero, Arango"""
)
# Brazilian surnames, with their particles ("da Silva", "dos Santos").
BR_SURNAMES = _split(
    """da Silva, dos Santos, de Oliveira, de Souza, Rodrigues, Ferreira, Alves, Silva, Pereira,
    Lima, Gomes, Costa, Ribeiro, Martins, Carvalho, de Almeida, Lopes, Soares, Fernandes,
    Vieira, Barbosa, Rocha, Dias, do Nascimento, Andrade, Moreira, Nunes, Marques, Machado,
    Mendes, Freitas, Cardoso, Ramos, Gonçalves, Santana, Teixeira, de Jesus, Araújo, Pinto,
    Cavalcanti, Correia, Monteiro, Moura, Batista, Campos, Azevedo, Medeiros, Reis, de Castro,
    Borges, Nogueira, Miranda, Barros, Pires, Farias, Cunha, Coelho, Fonseca, Sales, Melo,
    Xavier, Siqueira, Brito, Aguiar, Guimarães, Tavares, Magalhães, Bezerra, Duarte, Matos,
    Mota, Queiroz, Sampaio, Peixoto, Paiva, Prado, Leite, Figueiredo, Vasconcelos, Lacerda,
    Santos, Oliveira, Souza, da Costa, da Conceição"""
)
PT_SURNAMES = _split(
    """Silva, Santos, Ferreira, Pereira, Oliveira, Costa, Rodrigues, Martins, Jesus, Sousa,
    Fernandes, Gonçalves, Gomes, Lopes, Marques, Alves, Almeida, Ribeiro, Pinto, Carvalho,
    Teixeira, Moreira, Correia, Mendes, Nunes, Soares, Vieira, Monteiro, Cardoso, Rocha,
    Raposo, Neves, Coelho, Cruz, Cunha, Pires, Ramos, Reis, Simões, Antunes, da Silva,
    dos Santos, da Costa"""
)
EN_SURNAMES = _split(
    """Smith, Jones, Williams, Brown, Taylor, Davies, Wilson, Evans, Thomas, Johnson, Roberts,
    Walker, Wright, Robinson, Thompson, White, Hughes, Edwards, Green, Hall, Wood, Harris,
    Lewis, Martin, Jackson, Clarke, Turner, Hill, Scott, Cooper, Morris, Ward, Moore, King,
    Watson, Baker, Harrison, Morgan, Patel, Young, Allen, Mitchell, Miller, Davis, Anderson,
    Murphy, Kelly, O'Brien"""
)

# --- geography ----------------------------------------------------------------
# (city, region, weight, postal_lo, postal_hi, landline area code)

CITIES: dict[str, tuple[tuple[str, str, float, int, int, str], ...]] = {
    "ES": (
        ("Madrid", "Madrid", 32, 28001, 28055, "91"),
        ("Barcelona", "Barcelona", 16, 8001, 8042, "93"),
        ("Valencia", "Valencia", 8, 46001, 46026, "96"),
        ("Sevilla", "Sevilla", 7, 41001, 41020, "954"),
        ("Zaragoza", "Zaragoza", 7, 50001, 50021, "976"),
        ("Málaga", "Málaga", 6, 29001, 29018, "952"),
        ("Murcia", "Murcia", 4, 30001, 30012, "968"),
        ("Palma", "Illes Balears", 4, 7001, 7015, "971"),
        ("Las Palmas de Gran Canaria", "Las Palmas", 4, 35001, 35019, "928"),
        ("Bilbao", "Bizkaia", 3.5, 48001, 48015, "94"),
        ("Alicante", "Alicante", 3.5, 3001, 3016, "965"),
        ("Córdoba", "Córdoba", 3, 14001, 14014, "957"),
        ("Valladolid", "Valladolid", 3, 47001, 47016, "983"),
        ("Vigo", "Pontevedra", 3, 36201, 36216, "986"),
        ("Gijón", "Asturias", 2.5, 33201, 33213, "985"),
        ("L'Hospitalet de Llobregat", "Barcelona", 2.5, 8901, 8908, "93"),
        ("A Coruña", "A Coruña", 2.5, 15001, 15011, "981"),
        ("Vitoria-Gasteiz", "Araba/Álava", 2.5, 1001, 1015, "945"),
        ("Granada", "Granada", 2.5, 18001, 18015, "958"),
        ("Elche", "Alicante", 2.5, 3201, 3208, "96"),
        ("Oviedo", "Asturias", 2, 33001, 33013, "985"),
        ("Pamplona", "Navarra", 2, 31001, 31016, "948"),
        ("Santander", "Cantabria", 2, 39001, 39012, "942"),
        ("Salamanca", "Salamanca", 1.5, 37001, 37008, "923"),
        ("Toledo", "Toledo", 1, 45001, 45008, "925"),
        ("Girona", "Girona", 1, 17001, 17007, "972"),
        ("Tarragona", "Tarragona", 1.3, 43001, 43008, "977"),
        ("Cádiz", "Cádiz", 1.2, 11001, 11012, "956"),
        ("Almería", "Almería", 2, 4001, 4009, "950"),
        ("Burgos", "Burgos", 1.7, 9001, 9007, "947"),
        ("León", "León", 1.3, 24001, 24010, "987"),
        ("Logroño", "La Rioja", 1.5, 26001, 26009, "941"),
        ("Getafe", "Madrid", 1.8, 28901, 28909, "91"),
        ("Alcalá de Henares", "Madrid", 1.9, 28801, 28807, "91"),
        ("Sabadell", "Barcelona", 2, 8201, 8208, "93"),
        ("Badalona", "Barcelona", 2, 8911, 8918, "93"),
    ),
    "MX": (
        ("Ciudad de México", "CDMX", 30, 1000, 16999, "55"),
        ("Guadalajara", "Jalisco", 12, 44100, 44990, "33"),
        ("Monterrey", "Nuevo León", 12, 64000, 64999, "81"),
        ("Puebla", "Puebla", 7, 72000, 72599, "222"),
        ("Tijuana", "Baja California", 6, 22000, 22699, "664"),
        ("León", "Guanajuato", 5, 37000, 37699, "477"),
        ("Querétaro", "Querétaro", 5, 76000, 76249, "442"),
        ("Mérida", "Yucatán", 4, 97000, 97399, "999"),
        ("Toluca", "Estado de México", 4, 50000, 50299, "722"),
        ("Cancún", "Quintana Roo", 3, 77500, 77599, "998"),
    ),
    "BR": (
        ("São Paulo", "SP", 30, 1000000, 5999999, "11"),
        ("Rio de Janeiro", "RJ", 16, 20000000, 23799999, "21"),
        ("Belo Horizonte", "MG", 8, 30000000, 31999999, "31"),
        ("Brasília", "DF", 7, 70000000, 72799999, "61"),
        ("Salvador", "BA", 7, 40000000, 42599999, "71"),
        ("Fortaleza", "CE", 6, 60000000, 61599999, "85"),
        ("Curitiba", "PR", 5, 80000000, 82999999, "41"),
        ("Recife", "PE", 5, 50000000, 52999999, "81"),
        ("Porto Alegre", "RS", 5, 90000000, 91999999, "51"),
        ("Campinas", "SP", 4, 13000000, 13139999, "19"),
        ("Manaus", "AM", 4, 69000000, 69099999, "92"),
        ("Goiânia", "GO", 4, 74000000, 74899999, "62"),
        ("Guarulhos", "SP", 3, 7000000, 7399999, "11"),
        ("Belém", "PA", 3, 66000000, 66999999, "91"),
        ("Florianópolis", "SC", 2, 88000000, 88099999, "48"),
    ),
    "CO": (
        ("Bogotá", "Bogotá D.C.", 45, 110111, 112011, "601"),
        ("Medellín", "Antioquia", 20, 50001, 50041, "604"),
        ("Cali", "Valle del Cauca", 15, 760001, 760046, "602"),
        ("Barranquilla", "Atlántico", 10, 80001, 80020, "605"),
        ("Cartagena", "Bolívar", 10, 130001, 130015, "605"),
    ),
    "AR": (
        ("Buenos Aires", "CABA", 50, 1000, 1499, "11"),
        ("Córdoba", "Córdoba", 20, 5000, 5020, "351"),
        ("Rosario", "Santa Fe", 15, 2000, 2013, "341"),
        ("Mendoza", "Mendoza", 10, 5500, 5519, "261"),
        ("La Plata", "Buenos Aires", 5, 1900, 1909, "221"),
    ),
    "PT": (
        ("Lisboa", "Lisboa", 40, 1000, 1999, "21"),
        ("Porto", "Porto", 30, 4000, 4499, "22"),
        ("Braga", "Braga", 10, 4700, 4719, "253"),
        ("Coimbra", "Coimbra", 10, 3000, 3049, "239"),
        ("Faro", "Faro", 10, 8000, 8009, "289"),
    ),
}

COUNTRY_NAMES = {
    "ES": ("España", "Spain", "ES", "ESPAÑA"),
    "MX": ("México", "Mexico", "MX", "MEXICO"),
    "BR": ("Brasil", "Brazil", "BR", "BRASIL"),
    "CO": ("Colombia", "Colombia", "CO", "COLOMBIA"),
    "AR": ("Argentina", "Argentina", "AR", "ARGENTINA"),
    "PT": ("Portugal", "Portugal", "PT", "PORTUGAL"),
}

# street types: (full, abbreviation, weight)
STREET_TYPES: dict[str, tuple[tuple[str, str, float], ...]] = {
    "es": (
        ("Calle", "C/", 65),
        ("Avenida", "Avda.", 15),
        ("Plaza", "Pza.", 6),
        ("Paseo", "Pº", 5),
        ("Camino", "Cno.", 3),
        ("Ronda", "Rda.", 3),
        ("Travesía", "Trva.", 3),
    ),
    "pt": (
        ("Rua", "R.", 70),
        ("Avenida", "Av.", 20),
        ("Travessa", "Tv.", 5),
        ("Alameda", "Al.", 5),
    ),
}
STREETS: dict[str, tuple[str, ...]] = {
    "ES": _split(
        """Mayor, Real, Gran Vía, de Alcalá, de la Constitución, España, del Carmen,
        San Francisco, Nueva, de la Iglesia, del Sol, de Cervantes, Príncipe de Vergara,
        de Serrano, de Goya, Doctor Fleming, Isaac Peral, Ramón y Cajal, Blasco Ibáñez, Colón,
        Andalucía, Valencia, Castilla, de los Reyes Católicos, Juan Carlos I,
        Miguel de Unamuno, Federico García Lorca, Antonio Machado, de la Paz, de la Libertad,
        San Juan, Santa María, del Pilar, de Toledo, de Extremadura, Europa, del Mar,
        de la Estación, del Puerto, Santiago, San Vicente, Lepanto, Zurbano, Velázquez,
        Sagasta, Bravo Murillo, Arturo Soria, Diagonal, de Balmes, de Aragón"""
    ),
    "MX": _split(
        """Insurgentes Sur, Reforma, Juárez, Hidalgo, Morelos, Madero, Zaragoza, Allende,
        Revolución, Independencia, 5 de Mayo, 16 de Septiembre, Benito Juárez, Vallarta,
        Constitución, Universidad, Patriotismo, Álvaro Obregón, Lázaro Cárdenas, Miguel Hidalgo"""
    ),
    "BR": _split(
        """Augusta, Paulista, das Flores, XV de Novembro, Sete de Setembro, Tiradentes,
        Dom Pedro II, Barão do Rio Branco, Marechal Deodoro, Santos Dumont, Getúlio Vargas,
        Rui Barbosa, Duque de Caxias, São João, Brasil, Atlântica, Boa Vista, Amazonas, Bahia,
        Paraná, dos Andradas, Voluntários da Pátria, Frei Caneca, Oscar Freire, da Consolação,
        Ipiranga, Faria Lima"""
    ),
    "PT": _split(
        """da Liberdade, Augusta, de Santa Catarina, dos Clérigos, da Boavista, 25 de Abril,
        da República, Almirante Reis, Fontes Pereira de Melo, de Camões"""
    ),
    "CO": _split("""10, 19, 26, 45, 53, 72, 80, 93, 100, 116, 127, 140"""),
    "AR": _split(
        """Corrientes, Santa Fe, Rivadavia, Cabildo, Callao, Córdoba, Belgrano, San Martín,
        Florida, Lavalle, Sarmiento, Mitre"""
    ),
}

EMAIL_PROVIDERS: dict[str, tuple[tuple[str, float], ...]] = {
    "ES": (
        ("gmail.com", 45),
        ("hotmail.com", 20),
        ("outlook.com", 8),
        ("yahoo.es", 7),
        ("hotmail.es", 6),
        ("telefonica.net", 3),
        ("icloud.com", 3),
    ),
    "MX": (
        ("gmail.com", 50),
        ("hotmail.com", 25),
        ("yahoo.com.mx", 10),
        ("outlook.com", 10),
        ("prodigy.net.mx", 5),
    ),
    "BR": (
        ("gmail.com", 50),
        ("hotmail.com", 15),
        ("uol.com.br", 8),
        ("yahoo.com.br", 8),
        ("outlook.com", 8),
        ("terra.com.br", 6),
        ("bol.com.br", 5),
    ),
    "PT": (("gmail.com", 50), ("sapo.pt", 20), ("hotmail.com", 15), ("outlook.pt", 15)),
    "CO": (("gmail.com", 55), ("hotmail.com", 25), ("yahoo.com", 10), ("outlook.com", 10)),
    "AR": (("gmail.com", 55), ("hotmail.com", 25), ("yahoo.com.ar", 10), ("outlook.com", 10)),
}

COMPANY_TLD = {
    "ES": ".es",
    "MX": ".com.mx",
    "BR": ".com.br",
    "PT": ".pt",
    "CO": ".com.co",
    "AR": ".com.ar",
}
COMPANY_PREFIX_ES = _split(
    """Talleres, Distribuciones, Comercial, Construcciones, Transportes, Suministros, Asesoría,
    Consultora, Grupo, Inversiones, Reformas, Instalaciones, Hostelería, Clínica Dental,
    Farmacia, Librería, Ferretería, Óptica, Servicios, Electricidad, Muebles, Panadería"""
)
COMPANY_PREFIX_PT = _split(
    """Comércio, Distribuidora, Transportadora, Construtora, Consultoria, Auto Peças, Farmácia,
    Padaria, Mercado, Serviços, Móveis, Papelaria"""
)
COMPANY_CORE = _split(
    """Levante, Norte, del Sur, Iberia, Mediterráneo, Atlántico, Sol, Centro, Horizonte,
    Aurora, Delta, Nova, Costa, Sierra, Valle, Pacífico, Andes, Real, Imperial, Global"""
)
COMPANY_LEGAL = {
    "ES": (("S.L.", 55), ("S.A.", 15), ("SL", 15), ("S.L.U.", 10), ("S. Coop.", 5)),
    "MX": (("S.A. de C.V.", 80), ("S. de R.L. de C.V.", 20)),
    "BR": (("Ltda.", 60), ("S.A.", 15), ("ME", 15), ("EIRELI", 10)),
    "PT": (("Lda.", 80), ("S.A.", 20)),
    "CO": (("S.A.S.", 80), ("Ltda.", 20)),
    "AR": (("S.R.L.", 60), ("S.A.", 40)),
}
ROLE_MAILBOXES = ("info", "ventas", "compras", "administracion", "contacto", "pedidos")
ROLE_MAILBOXES_PT = ("contato", "vendas", "compras", "financeiro", "atendimento")

PRODUCT_LINES = ("Electrónica", "Hogar", "Moda", "Deportes", "Libros", "Juguetes", "Belleza")
PRODUCT_LINES_PT = ("Eletrônicos", "Casa", "Moda", "Esportes", "Livros", "Brinquedos", "Beleza")
PRODUCT_PRICE = (180.0, 70.0, 55.0, 60.0, 22.0, 35.0, 30.0)

TICKET_CATEGORIES = (("Incidencia", 35), ("Consulta", 30), ("Reclamación", 20), ("Devolución", 15))
TICKET_TEXT = {
    "Incidencia": (
        "El producto no enciende",
        "Fallo al pagar con tarjeta",
        "La aplicación da error al entrar",
        "Pedido llegó incompleto",
    ),
    "Consulta": (
        "Pregunta por plazo de entrega",
        "Quiere saber si hay stock",
        "Consulta sobre garantía",
        "Solicita factura del pedido",
    ),
    "Reclamación": (
        "Retraso en la entrega",
        "Cobro duplicado",
        "Trato incorrecto en tienda",
        "Producto dañado en el transporte",
    ),
    "Devolución": (
        "Talla incorrecta, solicita cambio",
        "Devolución dentro de plazo",
        "No era lo que esperaba",
        "Artículo defectuoso",
    ),
}
AGENTS = ("Lucía M.", "Pablo R.", "Marta G.", "Sergio T.", "Elena V.", "Iván C.")
MKT_SOURCES = (
    ("Web form", 40),
    ("Facebook Lead Ads", 20),
    ("Event", 10),
    ("Import", 10),
    ("Landing page", 15),
    ("Referral", 5),
)
NOTES = (
    "Cliente VIP",
    "No llamar por la tarde",
    "Prefiere contacto por email",
    "Pago por transferencia",
    "Ver incidencia anterior",
)
UNUSABLE_NOTES = (
    "BORRAR - duplicado",
    "ver ficha antigua",
    "pendiente de completar datos",
    "alta provisional",
)
PLACEHOLDER_NAMES = ("N/A", "Cliente contado", "VARIOS", "xxx", "Sin nombre")
PLACEHOLDER_EMAILS = (
    "test@test.com",
    "no@tiene.com",
    "sinemail@sinemail.com",
    "a@a.com",
    "noemail@gmail.com",
)
